package memlimit

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLimit(t *testing.T) {
	const v1 = "memory/memory.limit_in_bytes"
	for _, tc := range []struct {
		name   string
		cgroup string // /proc/self/cgroup; none when empty
		file   string // the limit file, below /sys/fs/cgroup; none when empty
		data   string // its content
		want   int64
		err    string
	}{
		{name: "cgroup v2, own path", cgroup: "0::/kubepods/pod1/c1\n", file: "kubepods/pod1/c1/memory.max", data: "314572800\n", want: 314572800},
		{name: "cgroup v2 namespace: the mount's root is the container", cgroup: "0::/\n", file: "memory.max", data: "104857600\n", want: 104857600},
		{name: "cgroup v2, no limit", cgroup: "0::/\n", file: "memory.max", data: "max\n"},
		{name: "cgroup v1, memory among several controllers", cgroup: "5:cpu,cpuacct:/a\n4:memory:/docker/abc\n0::/\n", file: "memory/docker/abc/memory.limit_in_bytes", data: "268435456", want: 268435456},
		{name: "cgroup v1, path not mounted here: the mount's root", cgroup: "4:memory:/docker/abc\n", file: v1, data: "536870912", want: 536870912},
		{name: "cgroup v1, no limit (page-rounded MaxInt64)", cgroup: "4:memory:/\n", file: v1, data: "9223372036854771712"},
		{name: "no cgroup file for memory", cgroup: "0::/\n"},
		{name: "garbage", cgroup: "0::/\n", file: "memory.max", data: "lots\n", err: `/sys/fs/cgroup/memory.max: "lots" is not a number of bytes`},
		{name: "no /proc", err: "proc/self/cgroup"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if tc.cgroup != "" {
				fsys["proc/self/cgroup"] = &fstest.MapFile{Data: []byte(tc.cgroup)}
			}
			if tc.file != "" {
				fsys["sys/fs/cgroup/"+tc.file] = &fstest.MapFile{Data: []byte(tc.data)}
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
