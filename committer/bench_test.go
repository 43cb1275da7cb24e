package committer

import (
	"fmt"
	"testing"
)

// BenchmarkCommit1000Files commits a batch that changes 1000 files of a
// branch holding 5000, both in a local working repository (files and index
// updated too) and in a bare clone.
func BenchmarkCommit1000Files(b *testing.B) {
	for _, kind := range []string{"worktree", "bare"} {
		b.Run(kind, func(b *testing.B) {
			c, _ := openKind(b, kind, "bench")
			path := func(i int) string {
				return fmt.Sprintf("bench/namespaces/ns-%d/core/configmaps/cm-%d.yaml", i%50, i)
			}
			seed := make([]Change, 5000)
			for i := range seed {
				seed[i] = file(path(i), fmt.Sprintf("seed %d\n", i))
			}
			mustCommit(b, c, seed...)

			b.ReportAllocs()
			round := 0
			for b.Loop() {
				round++
				batch := make([]Change, 1000)
				for i := range batch {
					batch[i] = file(path(i*5), fmt.Sprintf("kind: ConfigMap\nround: %d\nindex: %d\n", round, i))
				}
				if _, err := c.Commit(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCommitSnapshot commits 10,000 new files into an empty branch, as
// an initial snapshot does: written as one pack, and as loose objects.
func BenchmarkCommitSnapshot(b *testing.B) {
	for _, kind := range []string{"worktree", "bare"} {
		for _, objects := range []string{"pack", "loose"} {
			b.Run(kind+"/"+objects, func(b *testing.B) {
				if objects == "loose" {
					defer func(n int) { packMin = n }(packMin)
					packMin = 1 << 30
				}
				batch := make([]Change, 10000)
				for i := range batch {
					batch[i] = file(fmt.Sprintf("bench/namespaces/ns-%d/core/configmaps/cm-%d.yaml", i%100, i),
						fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  key: value-%d\n", i, i))
				}
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					c, _ := openKind(b, kind, "bench")
					b.StartTimer()
					if _, err := c.Commit(b.Context(), batch); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
