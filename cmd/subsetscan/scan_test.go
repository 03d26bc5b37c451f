package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"subsetscan/data"
	"subsetscan/scan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// writeActs writes rows×cols activations to dir/name and returns the path.
func writeActs(t *testing.T, dir, name string, shape []int, f func(i int) float32) string {
	t.Helper()
	a := data.NewArray(shape...)
	for i := range a.Data {
		a.Data[i] = f(i)
	}
	p := filepath.Join(dir, name)
	if err := data.WriteNPY(p, a); err != nil {
		t.Fatal(err)
	}
	return p
}

// fixture writes a small background (20×2×3) and eval (4×2×3) whose rows 2
// and 3 are large at nodes 0-2.
func fixture(t *testing.T) (dir, bg, ev string) {
	dir = t.TempDir()
	bg = writeActs(t, dir, "bg.npy", []int{20, 2, 3}, func(i int) float32 { return float32((i*7)%11) / 10 })
	ev = writeActs(t, dir, "eval.npy", []int{4, 2, 3}, func(i int) float32 {
		if i/6 >= 2 && i%6 < 3 {
			return 5
		}
		return float32((i*5)%11) / 10
	})
	return dir, bg, ev
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestScanGolden(t *testing.T) {
	dir, bg, ev := fixture(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"scan_individual", []string{"-score", "bj"}},
		{"scan_group", []string{"-mode", "group", "-score", "hc", "-restarts", "3", "-seed", "1"}},
		{"scan_fixed_2tail", []string{"-alpha-fixed", "0.2", "-tail", "2", "-score", "ks"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"scan", "-background", bg, "-eval", ev}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			// Paths differ between runs: the golden file has them relative.
			out = strings.ReplaceAll(out, dir+string(filepath.Separator), "")
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if out != string(want) {
				os.WriteFile(golden+".got", []byte(out), 0o644)
				t.Errorf("output differs from %s (see %s.got):\n%s", golden, golden, out)
			}
		})
	}
}

func TestScanMatchesLibrary(t *testing.T) {
	_, bg, ev := fixture(t)
	pv := filepath.Join(t.TempDir(), "p.npy")
	code, out, errOut := runCLI(t, "scan", "-background", bg, "-eval", ev, "-pvalues", pv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc scanOutput
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Results) != 4 || doc.Nodes != 6 {
		t.Fatalf("got %d results over %d nodes, want 4 over 6", len(doc.Results), doc.Nodes)
	}
	// The anomalous rows 2 and 3 score highest, on nodes 0-2.
	if !(doc.Results[2].Score > doc.Results[0].Score && doc.Results[3].Score > doc.Results[1].Score) {
		t.Errorf("anomalous rows do not score highest: %+v", doc.Results)
	}
	if !slices.Equal(doc.Results[2].Nodes, []int{0, 1, 2}) {
		t.Errorf("row 2 nodes %v, want [0 1 2]", doc.Results[2].Nodes)
	}
	p, err := data.ReadNPY(pv)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Shape, []int{4, 6, 2}) {
		t.Fatalf("p-values shape %v, want [4 6 2]", p.Shape)
	}
	// Row 2, node 0 is above every background value: [0, 1/21].
	if p.Data[(2*6+0)*2] != 0 || math.Abs(float64(p.Data[(2*6+0)*2+1])-1.0/21) > 1e-7 {
		t.Errorf("row 2 node 0 range [%v %v], want [0 1/21]", p.Data[24], p.Data[25])
	}
}

func TestScanErrors(t *testing.T) {
	dir, bg, ev := fixture(t)
	other := writeActs(t, dir, "other.npy", []int{3, 5}, func(i int) float32 { return 1 })
	nan := writeActs(t, dir, "nan.npy", []int{4, 6}, func(i int) float32 {
		if i == 13 {
			return float32(math.NaN())
		}
		return 1
	})
	one := writeActs(t, dir, "one.npy", []int{1, 6}, func(i int) float32 { return 1 })
	empty := writeActs(t, dir, "empty.npy", []int{0, 6}, func(i int) float32 { return 1 })
	trunc := filepath.Join(dir, "trunc.npy")
	raw, _ := os.ReadFile(ev)
	os.WriteFile(trunc, raw[:len(raw)-5], 0o644)
	text := filepath.Join(dir, "text.npy")
	os.WriteFile(text, []byte("hello"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		msg  []string // substrings of stderr
	}{
		{"no background", []string{"-eval", ev}, 2, []string{"-background is required"}},
		{"bad score", []string{"-background", bg, "-eval", ev, "-score", "zz"}, 2, []string{`"zz"`}},
		{"bad tail", []string{"-background", bg, "-eval", ev, "-tail", "3"}, 2, []string{"-tail"}},
		{"bad alpha", []string{"-background", bg, "-eval", ev, "-alpha-max", "1.5"}, 2, []string{"-alpha-max must be in (0, 1)"}},
		{"bad thresholds", []string{"-background", bg, "-eval", ev, "-mode", "group", "-thresholds", "all"}, 2, []string{"-thresholds"}},
		{"node mismatch", []string{"-background", bg, "-eval", other}, 1, []string{bg, other, "6 nodes", "5"}},
		{"nan", []string{"-background", bg, "-eval", nan}, 1, []string{nan, "sample 2, node 1"}},
		{"one background sample", []string{"-background", one, "-eval", ev}, 1, []string{one, "at least 2"}},
		{"empty eval", []string{"-background", bg, "-eval", empty}, 1, []string{empty, "no samples"}},
		{"truncated", []string{"-background", bg, "-eval", trunc}, 1, []string{trunc}},
		{"not npy", []string{"-background", text, "-eval", ev}, 1, []string{text}},
		{"missing", []string{"-background", filepath.Join(dir, "nope.npy"), "-eval", ev}, 1, []string{"nope.npy"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, append([]string{"scan"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			for _, m := range tc.msg {
				if !strings.Contains(errOut, m) {
					t.Errorf("stderr %q does not mention %q", errOut, m)
				}
			}
		})
	}
}

func TestScanOutputFile(t *testing.T) {
	_, bg, ev := fixture(t)
	out := filepath.Join(t.TempDir(), "sub", "r.json")
	code, stdout, errOut := runCLI(t, "scan", "-background", bg, "-eval", ev, "-mode", "group", "-o", out)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Mode   string      `json:"mode"`
		Result scan.Result `json:"result"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Mode != "group" || !slices.Equal(doc.Result.Samples, []int{2, 3}) {
		t.Errorf("got %+v, want the group of rows 2 and 3", doc)
	}
}

// FuzzScanNPY feeds arbitrary bytes as the eval file: any outcome but a
// panic is fine.
func FuzzScanNPY(f *testing.F) {
	dir := f.TempDir()
	bg := filepath.Join(dir, "bg.npy")
	a := data.NewArray(5, 3)
	for i := range a.Data {
		a.Data[i] = float32(i % 4)
	}
	if err := data.WriteNPY(bg, a); err != nil {
		f.Fatal(err)
	}
	var seed bytes.Buffer
	data.EncodeNPY(&seed, []int{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	f.Add(seed.Bytes())
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev := filepath.Join(t.TempDir(), "ev.npy")
		if err := os.WriteFile(ev, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		run(t.Context(), []string{"scan", "-background", bg, "-eval", ev, "-mode", "group"}, &stdout, &stderr)
	})
}
