package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

type microResult struct {
	Package     string  `json:"package"`
	Name        string  `json:"name"`
	NsPerOp     float64 `json:"nsPerOp"`
	BytesPerOp  float64 `json:"bytesPerOp"`
	AllocsPerOp float64 `json:"allocsPerOp"`
}

// microPackages hold the Go benchmarks of the hot paths.
var microPackages = []string{"./serializer/", "./filters/", "./committer/", "./audit/", "./audit/declared/", "./policies/"}

// microBenchmarks runs the packages' Go benchmarks with -benchmem. The
// benchmarks that seed a control plane of their own are left to
// `go test -bench` by hand: this run already measures that end to end.
func microBenchmarks(ctx context.Context, logFile string) ([]microResult, error) {
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-skip", "^BenchmarkAudit10k$"}, microPackages...)
	cmd := exec.CommandContext(ctx, "go", args...)
	out, err := cmd.CombinedOutput()
	if werr := os.WriteFile(logFile, out, 0o644); werr != nil {
		return nil, fmt.Errorf("write %s: %w", logFile, werr)
	}
	if err != nil {
		return nil, fmt.Errorf("go test -bench: %w (see %s)", err, logFile)
	}
	return parseBench(string(out)), nil
}

func parseBench(out string) []microResult {
	var res []microResult
	pkg := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/clusterscribe/clusterscribe/")
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		r := microResult{Package: pkg, Name: f[0]}
		if i := strings.LastIndexByte(r.Name, '-'); i > 0 {
			r.Name = r.Name[:i] // the GOMAXPROCS suffix
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				r.NsPerOp = v
			case "B/op":
				r.BytesPerOp = v
			case "allocs/op":
				r.AllocsPerOp = v
			}
		}
		res = append(res, r)
	}
	return res
}
