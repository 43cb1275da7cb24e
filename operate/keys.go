package operate

import (
	"reflect"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// key is one leaf of the configuration: its path ("record.batch-window"),
// which is also its flag's name, the field it sets and its help.
type key struct {
	path  string
	value reflect.Value // addressable
	help  string
	array bool // a repeatable flag whose values are not split at commas
}

var durationType = reflect.TypeFor[metav1.Duration]()

// keys lists every key of c, in declaration order.
func keys(c *Config) []key {
	var out []key
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := range t.NumField() {
			f, fv := t.Field(i), v.Field(i)
			if f.Anonymous {
				walk(fv, prefix)
				continue
			}
			if f.Tag.Get("help") == "-" {
				continue
			}
			path := joinPath(prefix, jsonName(f))
			if isSection(f.Type) {
				walk(fv, path)
				continue
			}
			out = append(out, key{path: path, value: fv, help: f.Tag.Get("help"), array: f.Tag.Get("flag") == "array"})
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return out
}

// Keys returns the path of every configuration key ("qps",
// "record.batch-window", ...), in the order of the Config type.
func Keys() []string {
	c := Default()
	ks := keys(&c)
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.path
	}
	return out
}

// fieldsOf maps the JSON names of a section's fields (embedded structs
// flattened) to their values.
func fieldsOf(v reflect.Value) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			for k, fv := range fieldsOf(v.Field(i)) {
				out[k] = fv
			}
			continue
		}
		out[jsonName(f)] = v.Field(i)
	}
	return out
}

func isSection(t reflect.Type) bool { return t.Kind() == reflect.Struct && t != durationType }

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// BindFlags registers one flag per configuration key on fs, named by the
// key's path and bound to c's field, with c's values as defaults. Use it
// with Load, which lets the flags set on the command line win over the
// file.
func BindFlags(fs *pflag.FlagSet, c *Config) {
	for _, k := range keys(c) {
		switch p := k.value.Addr().Interface().(type) {
		case *string:
			fs.StringVar(p, k.path, *p, k.help)
		case *bool:
			fs.BoolVar(p, k.path, *p, k.help)
		case *int:
			fs.IntVar(p, k.path, *p, k.help)
		case *int64:
			fs.Int64Var(p, k.path, *p, k.help)
		case *float64:
			fs.Float64Var(p, k.path, *p, k.help)
		case *[]string:
			if k.array {
				fs.StringArrayVar(p, k.path, *p, k.help)
			} else {
				fs.StringSliceVar(p, k.path, *p, k.help)
			}
		case *metav1.Duration:
			fs.DurationVar(&p.Duration, k.path, p.Duration, k.help)
		default:
			panic("operate: no flag type for configuration key " + k.path)
		}
	}
}

// overlay copies into dst the keys whose flags were set on the command line
// (fs, bound by BindFlags to src).
func overlay(dst, src *Config, fs *pflag.FlagSet) {
	from := map[string]reflect.Value{}
	for _, k := range keys(src) {
		from[k.path] = k.value
	}
	to := map[string]reflect.Value{}
	for _, k := range keys(dst) {
		to[k.path] = k.value
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
