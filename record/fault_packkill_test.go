package record_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/treecheck"
)

// packObjects is larger than the batch from which a commit's objects are
// written as one pack.
const packObjects = 2100

// tmpPacks counts the packs being written in a bare repository: go-git
// writes a pack into objects/pack/tmp_pack_* and renames it once complete.
func tmpPacks(repo string) int {
	m, _ := filepath.Glob(filepath.Join(repo, "objects", "pack", "tmp_pack_*"))
	n := 0
	for _, p := range m {
		if fi, err := os.Stat(p); err == nil && fi.Size() > 0 {
			n++
		}
	}
	return n
}

// TestKilledWhileWritingAPack runs `clusterscribe record` as a process
// and kills it with SIGKILL while it writes the pack of a batch of more
// than 2,000 changes: the initial snapshot, then a batch that changes
// every object. After each kill the clone passes git fsck --full
// --strict, the branch has not moved, and a restarted recorder brings the
// remote's branch to equal a fresh LIST. A round where the pack was
// complete before the kill landed is tried again with new changes.
func TestKilledWhileWritingAPack(t *testing.T) {
	bin := buildCLI(t)
	ns := cluster.Namespace(t, "packkill")
	cs := clientset(t)
	if err := fillConfigMapsErr(t.Context(), cs, ns, packObjects, 1); err != nil {
		t.Fatal(err)
	}
	work := startChurn(t, cs, ns) // in the namespace; ConfigMaps are recorded
	remote, clone, args, check := cliRecordSetup(t, ns)
	killed := 0
	var run *cliRun
	for round := 1; killed < 2; round++ {
		if round > 8 {
			t.Fatalf("only %d of 2 kills landed while a pack was written in %d rounds", killed, round-1)
		}
		before := tip(clone)
		var filled func()
		if round > 1 {
			filled = fillingConfigMaps(t, cs, ns, round, packObjects)
		}
		if run == nil {
			run = startCLI(t, bin, args...)
		}
		run.killWhen(t, "writing a pack", func() (bool, string) {
			n, at := tmpPacks(clone), refTip(clone)
			return n > 0 || (at != before && at != "?"), fmt.Sprintf("%d packs being written, branch at %q", n, at)
		})
		run = nil
		if filled != nil {
			filled()
		}
		landed := tip(clone) == before && tmpPacks(clone) > 0
		fsckClean(t, fmt.Sprintf("after a kill in round %d", round), clone, remote)
		if landed {
			killed++
			t.Logf("round %d: killed while a pack was written", round)
		}
		run = startCLI(t, bin, args...)
		treecheck.Await(t, cluster.Config, check, 2*patience, run.Alive)
		waitCLIPushed(t, run, clone, remote)
		if round == 1 && !landed {
			// The snapshot is committed; the next rounds kill batches.
			continue
		}
		if killed < 2 {
			run.KillGroup()
			run = nil
		}
	}
	work.stop(t)
	run.stop(t)
	fsckClean(t, "at the end", clone, remote)
}
