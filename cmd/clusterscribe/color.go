package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// --color values.
const (
	colorAuto   = "auto"
	colorAlways = "always"
	colorNever  = "never"
)

var colorValues = []string{colorAuto, colorAlways, colorNever}

func parseColor(s string) (string, error) {
	switch s {
	case colorAuto, colorAlways, colorNever:
		return s, nil
	}
	return "", usageErrorf("--color: %q is not one of auto, always, never", s)
}

// colorFor reports whether text written to w is coloured: --color always
// says yes, never says no, and auto says yes on a terminal unless NO_COLOR
// is set (https://no-color.org) or TERM is dumb.
func (g *globals) colorFor(w io.Writer) bool {
	switch g.color {
	case colorAlways:
		return true
	case colorNever:
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
