package operate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/internal/option"
)

// ErrInvalidConfig wraps every error of Decode, Load and Validate.
var ErrInvalidConfig = errors.New("invalid configuration")

// Decode reads a configuration file's content strictly: unknown keys,
// duplicate keys, values of the wrong type and a wrong apiVersion or kind
// are errors that name the key. Keys the file leaves out keep their
// defaults (see Default). Decode does not validate values; see Validate.
func Decode(data []byte) (Config, error) {
	cfg := Default()
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return cfg, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(js, &top); err != nil || top == nil {
		return cfg, fmt.Errorf("%w: the file must be a mapping with apiVersion %s and kind %s", ErrInvalidConfig, APIVersion, Kind)
	}
	var errs []error
	for _, k := range []struct{ name, want string }{{"apiVersion", APIVersion}, {"kind", Kind}} {
		var got string
		if raw, ok := top[k.name]; !ok {
			errs = append(errs, fmt.Errorf("%s: missing; want %q", k.name, k.want))
		} else if err := json.Unmarshal(raw, &got); err != nil || got != k.want {
			errs = append(errs, fmt.Errorf("%s: %s is not supported; want %q", k.name, bytes.TrimSpace(raw), k.want))
		}
	}
	errs = append(errs, decodeSection(reflect.ValueOf(&cfg).Elem(), js, "")...)
	if len(errs) > 0 {
		return cfg, fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
	}
	return cfg, nil
}

// Load reads the configuration file at path, when path is not empty, then
// applies the flags set on the command line: fs holds flags bound by
// BindFlags to flags. Without a file, the flags (and their defaults) are
// the configuration. Load does not validate values; see Validate.
func Load(path string, flags *Config, fs *pflag.FlagSet) (Config, error) {
	if path == "" {
		return *flags, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	cfg, err := Decode(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	overlay(&cfg, flags, fs)
	return cfg, nil
}

// decodeSection decodes a mapping into the struct v, key by key, so that
// every error names its key.
func decodeSection(v reflect.Value, data json.RawMessage, path string) []error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return []error{fmt.Errorf("%s: expected a mapping, got %s", orTop(path), kindOf(data))}
	}
	fields := option.Fields(v)
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		p := option.Join(path, name)
		f, ok := fields[name]
		fv := f.Value
		switch {
		case !ok:
			err := fmt.Errorf("%s: unknown key", p)
			if s := suggest(p); s != "" {
				err = fmt.Errorf("%s: unknown key (did you mean %s?)", p, s)
			}
			errs = append(errs, err)
		case path == "" && (name == "apiVersion" || name == "kind"):
			// checked by Decode
		case option.IsSection(fv.Type()):
			if !isNull(m[name]) {
				errs = append(errs, decodeSection(fv, m[name], p)...)
			}
		default:
			if err := decodeValue(fv, m[name]); err != nil {
				errs = append(errs, named(err, p, path))
			} else if f.Negate {
				fv.SetBool(!fv.Bool())
			}
		}
	}
	return errs
}

// decodeValue decodes one value into the field v. An empty value (null)
// sets the zero value.
func decodeValue(v reflect.Value, data json.RawMessage) error {
	if isNull(data) {
		v.Set(reflect.Zero(v.Type()))
		return nil
	}
	if option.IsDuration(v.Type()) {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("expected a duration such as 30s or 10m, got %s", kindOf(data))
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("expected a duration such as 30s or 10m, got %q", s)
		}
		if v.Kind() == reflect.Struct { // metav1.Duration
			v = v.Field(0)
		}
		v.SetInt(int64(d))
		return nil
	}
	p := reflect.New(v.Type())
	if err := json.Unmarshal(data, p.Interface()); err != nil {
		var named option.Named
		if errors.As(err, &named) {
			return err // a value the option's own type parses
		}
		return fmt.Errorf("expected %s, got %s", describe(v.Type()), kindOf(data))
	}
	v.Set(p.Elem())
	return nil
}

// named renders an error of the key at path, in section: an error of the
// option's own parsing names the key as its section sees it.
func named(err error, path, section string) error {
	var n option.Named
	if errors.As(err, &n) {
		return errors.Join(option.Keyed(err, section)...)
	}
	return fmt.Errorf("%s: %w", path, err)
}

func isNull(data json.RawMessage) bool { return string(bytes.TrimSpace(data)) == "null" }

func orTop(path string) string {
	if path == "" {
		return "the file"
	}
	return path
}

// describe names what a value of type t looks like in the file.
func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list of strings"
	default:
		return t.String()
	}
}

// kindOf names what a JSON value is, and shows it when it is short.
func kindOf(data json.RawMessage) string {
	s := strings.TrimSpace(string(data))
	var kind string
	switch {
	case s == "":
		return "nothing"
	case s[0] == '{':
		return "a mapping"
	case s[0] == '[':
		return "a list"
	case s[0] == '"':
		kind = "a string"
	case s == "true" || s == "false":
		kind = "a boolean"
	default:
		kind = "a number"
	}
	if len(s) <= 40 {
		return kind + " " + s
	}
	return kind
}
