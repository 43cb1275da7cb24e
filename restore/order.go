package restore

import (
	"github.com/clusterscribe/clusterscribe/internal/applyorder"
)

// orderKey is what the apply order reads of an item: its kind, name and
// owners, and its path to break ties, so the order is the same on every
// run.
func orderKey(it item) applyorder.Key {
	k := applyorder.KeyOf(it.obj)
	k.GroupKind, k.Tie = it.res.GroupKind(), it.path
	return k
}

// sortItems orders items for applying (see applyorder.Compare).
func sortItems(items []item) { applyorder.Sort(items, orderKey) }
