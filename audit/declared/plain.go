package declared

import (
	"bytes"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/yamldoc"
)

// plainRefused are the bytes that send a document down the full path
// (parseDocument): anchors and aliases (what checkTree bounds), tags and
// merge keys (what its duplicate-key check treats apart), tabs, and line
// breaks other than \n (which count lines differently).
var plainRefused = [][]byte{
	[]byte("&"), []byte("!"), []byte("<<"), []byte("\t"), []byte("\r"),
	[]byte("\u0085"), []byte("\u2028"), []byte("\u2029"),
}

// parsePlain reads, with one YAML parse, a document that holds one named
// object and nothing the full path would refuse or read differently: no
// byte of plainRefused, no key defined twice (the strict parse fails on
// it), no key a YAML 1.1 boolean, not a List. ok is false for any other
// document, which the full path then reads (and explains, when it is
// malformed). What it returns is what the full path returns.
func parsePlain(file string, doc yamldoc.Document) (objs []Object, ok bool) {
	for _, b := range plainRefused {
		if bytes.Contains(doc.Data, b) {
			return nil, false
		}
	}
	line, ok := rootLine(doc)
	if !ok {
		return nil, false
	}
	js, err := sigsyaml.YAMLToJSONStrict(doc.Data)
	if err != nil {
		return nil, false
	}
	obj, err := decodeJSON(js)
	if err != nil || hasBoolKey(obj) {
		return nil, false
	}
	u := manifestObject(obj)
	if u == nil {
		return nil, true
	}
	if u.IsList() || u.GetName() == "" {
		return nil, false
	}
	return []Object{{Object: u, Source: findings.Source{File: file, Line: line}}}, true
}

// rootLine is the line (in the file) of the document's first content: its
// root node's. ok is false when that line opens with something the full
// path's parser places otherwise (a directive, a document marker).
func rootLine(doc yamldoc.Document) (int, bool) {
	line := doc.Line
	for rest := doc.Data; len(rest) > 0; line++ {
		text := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			text, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		text = bytes.TrimLeft(text, " ")
		switch {
		case len(text) == 0 || text[0] == '#':
			continue
		case text[0] == '%' || bytes.HasPrefix(text, []byte("---")) || bytes.HasPrefix(text, []byte("...")):
			return 0, false
		}
		return line, true
	}
	return 0, false
}

// hasBoolKey reports a mapping key "true" or "false" anywhere in v: YAML
// 1.1 reads yes, on, y... as booleans where the full path's check reads
// strings, so such documents take the full path.
func hasBoolKey(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			if k == "true" || k == "false" || hasBoolKey(c) {
				return true
			}
		}
	case []any:
		for _, c := range t {
			if hasBoolKey(c) {
				return true
			}
		}
	}
	return false
}
