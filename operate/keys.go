package operate

import (
	"reflect"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/internal/option"
)

// Keys returns the path of every configuration key ("qps",
// "record.batch-window", ...), in the order of the Config type.
func Keys() []string {
	c := Default()
	var out []string
	for _, o := range option.Walk(&c, "") {
		out = append(out, o.Path)
	}
	return out
}

// BindFlags registers one flag per configuration key on fs, named by the
// key's path and bound to c's field, with c's values as defaults. Use it
// with Load, which lets the flags set on the command line win over the
// file.
func BindFlags(fs *pflag.FlagSet, c *Config) { option.Bind(fs, "", c) }

// overlay copies into dst the keys whose flags were set on the command line
// (fs, bound by BindFlags to src).
func overlay(dst, src *Config, fs *pflag.FlagSet) {
	from := map[string]reflect.Value{}
	for _, o := range option.Walk(src, "") {
		from[o.Path] = o.Value
	}
	to := map[string]reflect.Value{}
	for _, o := range option.Walk(dst, "") {
		to[o.Path] = o.Value
	}
	fs.Visit(func(f *pflag.Flag) {
		if v, ok := from[f.Name]; ok {
			to[f.Name].Set(v)
		}
	})
}

// suggest names the key a misspelled or misplaced one probably means.
func suggest(path string) string {
	i := strings.LastIndex(path, ".")
	name, prefix := path[i+1:], ""
	if i >= 0 {
		prefix = path[:i]
	}
	all := Keys()
	var elsewhere []string
	for _, k := range all {
		if k == name || strings.HasSuffix(k, "."+name) {
			elsewhere = append(elsewhere, k)
		}
	}
	if len(elsewhere) > 0 {
		return strings.Join(elsewhere, " or ")
	}
	for _, k := range Keys() {
		if i := strings.Index(k, "."); i > 0 && !slices.Contains(all, k[:i]) {
			all = append(all, k[:i]) // the sections
		}
	}
	best, bestDist := "", 3
	for _, k := range all {
		j := strings.LastIndex(k, ".")
		if (j < 0 && prefix != "") || (j >= 0 && k[:j] != prefix) {
			continue
		}
		if d := editDistance(name, k[j+1:]); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = slices.Min([]int{prev[j] + 1, cur[j-1] + 1, prev[j-1] + cost})
		}
		prev = cur
	}
	return prev[len(b)]
}
