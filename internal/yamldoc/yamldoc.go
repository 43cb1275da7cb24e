// Package yamldoc is the one reader of YAML streams: it splits a file into
// its documents the way kubectl does, keeping where each starts, so that
// every reader of manifests (audit's declared repository, policies,
// propose's edits, restore's backup and the test applier) agrees on
// separators, byte order marks, blank documents and line numbers.
package yamldoc

import "bytes"

// bom is the UTF-8 byte order mark some editors write at a file's start.
var bom = []byte("\xef\xbb\xbf")

// Document is one document of a YAML stream.
type Document struct {
	// Data is the document's text, without its separator line: a slice of
	// the stream, not a copy.
	Data []byte
	// Start and End are Data's byte range in the stream.
	Start, End int
	// Line is the 1-based line of the document's first line in the
	// stream.
	Line int
	// ContentLine is the first line holding content (neither blank nor a
	// comment); 0 for a document without any, which holds no object.
	ContentLine int
}

// Empty reports whether the document holds nothing but blanks and
// comments.
func (d Document) Empty() bool { return d.ContentLine == 0 }

// Split splits data at "---" lines as kubectl does (a line starting with
// "---" followed by nothing but blanks or a comment). A leading byte order
// mark is skipped. Every document is returned, empty ones included, so
// that a caller can number them; callers that want objects skip Empty
// ones.
func Split(data []byte) []Document {
	i := 0
	if bytes.HasPrefix(data, bom) {
		i = len(bom)
	}
	var docs []Document
	cur := Document{Start: i, Line: 1}
	for line := 1; i < len(data); line++ {
		next := len(data)
		if end := bytes.IndexByte(data[i:], '\n'); end >= 0 {
			next = i + end + 1
		}
		text := bytes.TrimRight(data[i:next], "\r\n")
		switch {
		case isSeparator(text):
			docs = append(docs, cur.until(data, i))
			cur = Document{Start: next, Line: line + 1}
		case cur.ContentLine == 0 && hasContent(text):
			cur.ContentLine = line
		}
		i = next
	}
	return append(docs, cur.until(data, len(data)))
}

func (d Document) until(data []byte, end int) Document {
	d.End, d.Data = end, data[d.Start:end]
	return d
}

func isSeparator(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("---"))
	if !ok {
		return false
	}
	rest = bytes.TrimSpace(rest)
	return len(rest) == 0 || rest[0] == '#'
}

func hasContent(line []byte) bool {
	t := bytes.TrimSpace(line)
	return len(t) > 0 && t[0] != '#'
}
