// Package memlimit sets the Go runtime's soft memory limit from the memory
// limit of the container (cgroup v2 memory.max, or cgroup v1
// memory.limit_in_bytes) the process runs in, unless GOMEMLIMIT says
// otherwise: near the limit the garbage collector then works harder
// instead of letting the heap grow to twice what is live, and the process
// is not killed for memory it does not need.
package memlimit

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
)

// Fraction is the share of the container's limit the Go runtime may use:
// the rest is for the executable's pages, buffers outside the Go heap and
// the kernel's own accounting.
const Fraction = 0.9

// unlimited is what cgroup v1 reports for no limit (a page-rounded
// MaxInt64); anything this large is no limit.
const unlimited = 1 << 62

// Limit is the memory limit of the cgroup the process runs in, in bytes,
// read from fsys (the root of the file system, e.g. os.DirFS("/")); 0 when
// there is none.
func Limit(fsys fs.FS) (int64, error) {
	f, err := fsys.Open("proc/self/cgroup")
	if err != nil {
		return 0, fmt.Errorf("memory limit: %w", err)
	}
	defer func() { _ = f.Close() }()
	var candidates []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// hierarchy-ID:controller-list:cgroup-path
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		p := strings.TrimPrefix(path.Clean(parts[2]), "/")
		switch {
		case parts[0] == "0" && parts[1] == "":
			candidates = append(candidates, path.Join("sys/fs/cgroup", p, "memory.max"), "sys/fs/cgroup/memory.max")
		case hasController(parts[1], "memory"):
			candidates = append(candidates, path.Join("sys/fs/cgroup/memory", p, "memory.limit_in_bytes"), "sys/fs/cgroup/memory/memory.limit_in_bytes")
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("memory limit: read /proc/self/cgroup: %w", err)
	}
	// The cgroup's own file first; inside a cgroup namespace (or a
	// container's private mount) the path is relative to what is mounted,
	// and the mount's root is the container's cgroup.
	for _, c := range candidates {
		data, err := fs.ReadFile(fsys, c)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("memory limit: %w", err)
		}
		return parseLimit(strings.TrimSpace(string(data)), c)
	}
	return 0, nil
}

func hasController(list, name string) bool {
	for c := range strings.SplitSeq(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

func parseLimit(s, file string) (int64, error) {
	if s == "max" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("memory limit: /%s: %q is not a number of bytes", file, s)
	}
	if n <= 0 || n >= unlimited {
		return 0, nil
	}
	return n, nil
}

// Apply sets the runtime's soft memory limit to Fraction of the
// container's limit and returns it, unless GOMEMLIMIT is set (the
// runtime honours it already) or there is no limit: then it returns 0 and
// changes nothing.
func Apply() (int64, error) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0, nil
	}
	limit, err := Limit(os.DirFS("/"))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil // not Linux, or no /proc: no container limit to read
	}
	if err != nil || limit == 0 {
		return 0, err
	}
	soft := int64(math.Floor(float64(limit) * Fraction))
	debug.SetMemoryLimit(soft)
	return soft, nil
}
