package memlimit

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLimit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  int64
		err   string
	}{
		{
			name: "cgroup v2, own path",
			files: map[string]string{
				"proc/self/cgroup":                          "0::/kubepods/pod1/c1\n",
				"sys/fs/cgroup/kubepods/pod1/c1/memory.max": "314572800\n",
			},
			want: 314572800,
		},
		{
			name: "cgroup v2 namespace: the mount's root is the container",
			files: map[string]string{
				"proc/self/cgroup":         "0::/\n",
				"sys/fs/cgroup/memory.max": "104857600\n",
			},
			want: 104857600,
		},
		{
			name: "cgroup v2, no limit",
			files: map[string]string{
				"proc/self/cgroup":         "0::/\n",
				"sys/fs/cgroup/memory.max": "max\n",
			},
		},
		{
			name: "cgroup v1, memory among several controllers",
			files: map[string]string{
				"proc/self/cgroup": "5:cpu,cpuacct:/a\n4:memory:/docker/abc\n0::/\n",
				"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "268435456",
			},
			want: 268435456,
		},
		{
			name: "cgroup v1, path not mounted here: the mount's root",
			files: map[string]string{
				"proc/self/cgroup":                           "4:memory:/docker/abc\n",
				"sys/fs/cgroup/memory/memory.limit_in_bytes": "536870912",
			},
			want: 536870912,
		},
		{
			name: "cgroup v1, no limit (page-rounded MaxInt64)",
			files: map[string]string{
				"proc/self/cgroup":                           "4:memory:/\n",
				"sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712",
			},
		},
		{
			name:  "no cgroup file for memory",
			files: map[string]string{"proc/self/cgroup": "0::/\n"},
		},
		{
			name: "garbage",
			files: map[string]string{
				"proc/self/cgroup":         "0::/\n",
				"sys/fs/cgroup/memory.max": "lots\n",
			},
			err: `/sys/fs/cgroup/memory.max: "lots" is not a number of bytes`,
		},
		{
			name:  "no /proc",
			files: map[string]string{},
			err:   "proc/self/cgroup",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			got, err := Limit(fsys)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Limit() error = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Limit() = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestApplyLeavesGOMEMLIMIT(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	got, err := Apply()
	if err != nil || got != 0 {
		t.Errorf("Apply() with GOMEMLIMIT set = %d, %v; want 0, nil (the runtime honours it)", got, err)
	}
}
