// Package option declares options once, as tagged fields of a package's
// options struct, and generates from that one declaration both the flags
// of a command and the keys of a configuration file.
//
// The tags of a field:
//
//	json:"name"   the option's name: its flag and its key; a field without
//	              it, or with "-", is no option
//	help:"…"      the help of the flag and of the key; "-" makes it a key
//	              that is no flag (a configuration file's apiVersion)
//	short:"l"     a one-letter shorthand of the flag
//	flag:"array"  a repeatable flag whose values are not split at commas
//	negate:"true" a bool option that sets the negation of its value: the
//	              user says "report passes", the field says OmitPasses
//
// An embedded struct, or a struct field tagged json:",inline", is
// flattened; any other struct field with a name is a section, whose
// options are named "section.name". A field of a type that implements
// pflag.Value is one option, whatever its kind.
package option

import (
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Option is one declared option.
type Option struct {
	// Path is the option's name, prefixed with its sections:
	// "record.batch-window". It is the flag's name and the key's path.
	Path  string
	Help  string
	Short string
	// Array marks a repeatable flag whose values are not split at commas.
	Array bool
	// Negate marks a bool option whose field holds the negation of its
	// value.
	Negate bool
	// Value is the field, addressable.
	Value reflect.Value
}

var (
	durationType   = reflect.TypeFor[time.Duration]()
	metav1Duration = reflect.TypeFor[metav1.Duration]()
	valueType      = reflect.TypeFor[pflag.Value]()
)

// IsDuration reports whether t is a duration option (time.Duration or
// metav1.Duration): written as "30s" or "10m".
func IsDuration(t reflect.Type) bool { return t == durationType || t == metav1Duration }

// IsSection reports whether a field of type t holds options rather than
// being one.
func IsSection(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != metav1Duration && !reflect.PointerTo(t).Implements(valueType)
}

// Name is the option name of a struct field ("" when it is none) and
// whether its options are flattened into its parent.
func Name(f reflect.StructField) (name string, inline bool) {
	tag, ok := f.Tag.Lookup("json")
	name, opts, _ := strings.Cut(tag, ",")
	if !f.IsExported() || name == "-" {
		return "", false
	}
	if name == "" && (f.Anonymous || opts == "inline") {
		return "", IsSection(f.Type)
	}
	if !ok {
		return "", false
	}
	return name, false
}

// Walk lists the options of the struct ptr points to, in declaration
// order, with paths under prefix ("" for none).
func Walk(ptr any, prefix string) []Option {
	var out []Option
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		helper, _ := v.Addr().Interface().(Helper)
		for i := range t.NumField() {
			f, fv := t.Field(i), v.Field(i)
			name, inline := Name(f)
			switch {
			case inline:
				walk(fv, prefix)
			case name == "" || f.Tag.Get("help") == "-":
			case IsSection(f.Type):
				walk(fv, Join(prefix, name))
			default:
				help := f.Tag.Get("help")
				if helper != nil {
					help = helper.OptionHelp(name, help)
				}
				o := leaf(f, fv)
				o.Path, o.Help = Join(prefix, name), help
				out = append(out, o)
			}
		}
	}
	walk(reflect.ValueOf(ptr).Elem(), prefix)
	return out
}

// leaf is the option of field f (path and help aside).
func leaf(f reflect.StructField, v reflect.Value) Option {
	return Option{Short: f.Tag.Get("short"), Array: f.Tag.Get("flag") == "array", Negate: f.Tag.Get("negate") == "true", Value: v}
}

// Fields maps the names of a section's options and sub-sections (inline
// structs flattened) to their fields, as options named by their name
// alone.
func Fields(v reflect.Value) map[string]Option {
	out := map[string]Option{}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, inline := Name(f)
		switch {
		case inline:
			for k, o := range Fields(v.Field(i)) {
				out[k] = o
			}
		case name != "":
			o := leaf(f, v.Field(i))
			o.Path, o.Help = name, f.Tag.Get("help")
			out[name] = o
		}
	}
	return out
}

// Join joins a section's path and a name.
func Join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// Bind registers one flag per option of the struct ptr points to on fs,
// named by the option's path under prefix and bound to its field, with
// the field's current value as the default.
func Bind(fs *pflag.FlagSet, prefix string, ptr any) {
	BindOptions(fs, Walk(ptr, prefix))
}

// BindOptions registers one flag per option of opts: with Walk, a command
// binds part of an options struct, or words an option's help for itself.
func BindOptions(fs *pflag.FlagSet, opts []Option) {
	for _, o := range opts {
		bind(fs, o)
	}
}

func bind(fs *pflag.FlagSet, o Option) {
	name, short, help := o.Path, o.Short, o.Help
	switch p := o.Value.Addr().Interface().(type) {
	case pflag.Value:
		fs.VarP(p, name, short, help)
	case *string:
		fs.StringVarP(p, name, short, *p, help)
	case *bool:
		if o.Negate {
			fs.VarPF(negated{p}, name, short, help).NoOptDefVal = "true"
			return
		}
		fs.BoolVarP(p, name, short, *p, help)
	case *int:
		fs.IntVarP(p, name, short, *p, help)
	case *int64:
		fs.Int64VarP(p, name, short, *p, help)
	case *float32:
		fs.Float32VarP(p, name, short, *p, help)
	case *float64:
		fs.Float64VarP(p, name, short, *p, help)
	case *time.Duration:
		fs.DurationVarP(p, name, short, *p, help)
	case *metav1.Duration:
		fs.DurationVarP(&p.Duration, name, short, p.Duration, help)
	case *[]string:
		if o.Array {
			fs.StringArrayVarP(p, name, short, *p, help)
		} else {
			fs.StringSliceVarP(p, name, short, *p, help)
		}
	default:
		panic("option: no flag type for " + name + " (" + o.Value.Type().String() + ")")
	}
}

// NameOf is the declared name of T's field (by its Go name), for errors
// that name the option: NameOf[Options]("IncludeKinds") is
// "include-kinds". It panics when the field declares no option.
func NameOf[T any](field string) string {
	f, ok := reflect.TypeFor[T]().FieldByName(field)
	if !ok {
		panic("option: no field " + field)
	}
	name, _ := Name(f)
	if name == "" {
		panic("option: field " + field + " declares no option")
	}
	return name
}

// Helper is implemented by an options struct whose help depends on more
// than its tags (a list of names known at run time): Bind passes it the
// option's name and tagged help and uses what it returns.
type Helper interface {
	OptionHelp(name, help string) string
}

// negated is the flag of a bool option with negate:"true".
type negated struct{ dst *bool }

func (v negated) String() string { return strconv.FormatBool(!*v.dst) }

func (v negated) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*v.dst = !b
	return nil
}

func (negated) Type() string { return "bool" }
