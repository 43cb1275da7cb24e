package restore

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteHistory renders changes to w: FormatJSON as a JSON array, any other
// format like git log, one block per commit:
//
//	3f2a9c1d0b7e 2026-11-22T01:02:05Z clusterscribe <clusterscribe@localhost>
//	    changed Deployment.apps shop/web (kubectl-client-side-apply Update 2026-11-22T01:02:03Z)
//
// with "  changed by alice" after the e-mail address when the commit
// names the person who made the change (the audit webhook).
func WriteHistory(w io.Writer, changes []Change, f Format) error {
	if f == FormatJSON {
		if changes == nil {
			changes = []Change{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(changes)
	}
	var b strings.Builder
	for i, c := range changes {
		if i > 0 {
			b.WriteString("\n")
		}
		commit := c.Commit
		if len(commit) > 12 && f != FormatWide {
			commit = commit[:12]
		}
		fmt.Fprintf(&b, "%s %s %s <%s>", commit, c.Time.UTC().Format(time.RFC3339), c.Author, c.Email)
		if who := c.ChangedBy.Name(); who != "" {
			fmt.Fprintf(&b, "  changed by %s", who)
		}
		b.WriteString("\n")
		if len(c.Lines) == 0 {
			fmt.Fprintf(&b, "    %s %s\n", c.Change, c.Path)
		}
		for _, l := range c.Lines {
			fmt.Fprintf(&b, "    %s\n", l)
		}
		if f == FormatWide && len(c.Lines) > 0 {
			fmt.Fprintf(&b, "    file: %s\n", c.Path)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
