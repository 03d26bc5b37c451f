package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
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
	nan := writeActs(t, dir, "nan.npy", []int{4, 2, 3}, func(i int) float32 {
		if i == 13 {
			return float32(math.NaN())
		}
		return 1
	})
	one := writeActs(t, dir, "one.npy", []int{1, 2, 3}, func(i int) float32 { return 1 })
	empty := writeActs(t, dir, "empty.npy", []int{0, 6}, func(i int) float32 { return 1 })
	trunc := filepath.Join(dir, "trunc.npy")
	raw, _ := os.ReadFile(ev)
	os.WriteFile(trunc, raw[:len(raw)-5], 0o644)
	text := filepath.Join(dir, "text.npy")
	os.WriteFile(text, []byte("hello"), 0o644)
	// A well-formed .npy of strings, not numbers.
	header := "{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }"
	header += strings.Repeat(" ", 63-(10+len(header))%64) + "\n"
	strs := filepath.Join(dir, "strings.npy")
	raw2 := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	raw2 = append(raw2, header...)
	raw2 = append(raw2, make([]byte, 2*3*4)...)
	os.WriteFile(strs, raw2, 0o644)
	// The same node count in another layout.
	bg3 := writeActs(t, dir, "bg3.npy", []int{200, 5, 10}, func(i int) float32 { return float32(i % 7) })
	ev3 := writeActs(t, dir, "ev3.npy", []int{20, 10, 5}, func(i int) float32 { return float32(i % 5) })
	// Cut on an element boundary: 4 and 128 bytes (a whole row is 24).
	cut4 := filepath.Join(dir, "cut4.npy")
	os.WriteFile(cut4, raw[:len(raw)-4], 0o644)
	cut24 := filepath.Join(dir, "cut24.npy")
	os.WriteFile(cut24, raw[:len(raw)-24], 0o644)
	long := filepath.Join(dir, "long.npy")
	os.WriteFile(long, append(slices.Clone(raw), 0, 0, 0, 0), 0o644)
	cutHeader := filepath.Join(dir, "cut_header.npy")
	os.WriteFile(cutHeader, raw[:50], 0o644)
	oneRow := writeActs(t, dir, "one_row.npy", []int{1, 2, 3}, func(i int) float32 { return 1 })
	notDir := filepath.Join(dir, "file.txt")
	os.WriteFile(notDir, []byte("x"), 0o644)
	emptyBG := writeActs(t, dir, "empty_bg.npy", []int{0, 6}, func(i int) float32 { return 1 })
	noNodes := writeActs(t, dir, "no_nodes.npy", []int{4, 0}, func(i int) float32 { return 1 })
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
		{"strings npy", []string{"-background", bg, "-eval", strs}, 1, []string{strs}},
		{"empty background", []string{"-background", emptyBG, "-eval", ev}, 1, []string{emptyBG, "no samples"}},
		{"no nodes", []string{"-background", bg, "-eval", noNodes}, 1, []string{noNodes, "no nodes"}},
		{"bad alpha fixed", []string{"-background", bg, "-eval", ev, "-alpha-fixed", "1"}, 2, []string{"-alpha-fixed must be in (0, 1)"}},
		{"alpha fixed in group mode", []string{"-background", bg, "-eval", ev, "-mode", "group", "-alpha-fixed", "0.1"}, 2, []string{"individual mode only"}},
		{"bad restarts", []string{"-background", bg, "-eval", ev, "-mode", "group", "-restarts", "0"}, 2, []string{"-restarts"}},
		{"bad mode", []string{"-background", bg, "-eval", ev, "-mode", "pairs"}, 2, []string{"-mode"}},
		{"layout mismatch", []string{"-background", bg3, "-eval", ev3}, 1, []string{bg3, ev3, "[200 5 10]", "[20 10 5]", "same 50 nodes"}},
		{"4 bytes missing", []string{"-background", bg, "-eval", cut4}, 1, []string{cut4, "takes 224 bytes", "has 220", "4 bytes missing"}},
		{"a row missing", []string{"-background", bg, "-eval", cut24}, 1, []string{cut24, "has 200", "24 bytes missing"}},
		{"trailing bytes", []string{"-background", bg, "-eval", long}, 1, []string{long, "has 228", "4 trailing bytes"}},
		{"truncated header", []string{"-background", cutHeader, "-eval", ev}, 1, []string{cutHeader + ": ", "truncated header"}},
		{"group of one row", []string{"-background", bg, "-eval", oneRow, "-mode", "group"}, 1, []string{oneRow, "at least 2 eval rows", "-mode individual"}},
		// The outputs are checked before the computation, which would fail
		// on the NaN: the errors name the targets.
		{"-o directory", []string{"-background", bg, "-eval", nan, "-o", dir}, 1, []string{"-o: ", "cannot write " + dir + ": it is a directory"}},
		{"-o under a file", []string{"-background", bg, "-eval", nan, "-o", filepath.Join(notDir, "r.json")}, 1, []string{"-o: ", "cannot write " + filepath.Join(notDir, "r.json"), "not a directory"}},
		{"-pvalues directory", []string{"-background", bg, "-eval", nan, "-pvalues", dir}, 1, []string{"-pvalues: ", "cannot write " + dir + ": it is a directory"}},
		{"-pvalues device", []string{"-background", bg, "-eval", nan, "-pvalues", os.DevNull}, 1, []string{"-pvalues: ", os.DevNull, "not a regular file"}},
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

// A failed scan leaves nothing behind: neither the outputs nor their
// temporary files.
func TestScanFailureWritesNothing(t *testing.T) {
	dir, bg, _ := fixture(t)
	nan := writeActs(t, dir, "nan.npy", []int{4, 2, 3}, func(i int) float32 {
		if i == 13 {
			return float32(math.NaN())
		}
		return 1
	})
	outDir := filepath.Join(t.TempDir(), "out")
	code, _, errOut := runCLI(t, "scan", "-background", bg, "-eval", nan,
		"-o", filepath.Join(outDir, "r.json"), "-pvalues", filepath.Join(outDir, "p.npy"))
	if code != 1 || !strings.Contains(errOut, "sample 2, node 1") {
		t.Fatalf("exit %d (%q), want 1 and the NaN reported", code, errOut)
	}
	if entries, err := os.ReadDir(outDir); err != nil || len(entries) != 0 {
		t.Errorf("output directory holds %v (%v), want nothing", entries, err)
	}
}

// -cpuprofile writes a profile that go tool pprof reads.
func TestScanCPUProfile(t *testing.T) {
	_, bg, ev := fixture(t)
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	if code, _, errOut := runCLI(t, "scan", "-background", bg, "-eval", ev, "-cpuprofile", prof); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("profile: %v, %v", fi, err)
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
		// Both modes; a failure must be an error (exit 1), never a panic.
		for _, mode := range []string{"group", "individual"} {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"scan", "-background", bg, "-eval", ev, "-mode", mode}, &stdout, &stderr)
			if code != 0 && code != 1 {
				t.Fatalf("%s mode: exit %d: %s", mode, code, stderr.String())
			}
			if code == 0 && bytes.Contains(stdout.Bytes(), []byte("NaN")) {
				t.Fatalf("%s mode: NaN in the output: %s", mode, stdout.String())
			}
		}
	})
}

// writeLabels writes integer labels as an int64 .npy file.
func writeLabels(t *testing.T, dir, name string, labels []int) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := data.WriteNPYInts(p, labels); err != nil {
		t.Fatal(err)
	}
	return p
}

// With -background-labels and -eval-labels each eval row is compared with
// the background rows of its own class.
func TestScanConditional(t *testing.T) {
	dir, bg, ev := fixture(t)
	bgLabels := make([]int, 20)
	for i := range bgLabels {
		bgLabels[i] = i % 2
	}
	evLabels := []int{1, 0, 1, 0}
	bl := writeLabels(t, dir, "bg_labels.npy", bgLabels)
	el := writeLabels(t, dir, "eval_labels.npy", evLabels)
	pv := filepath.Join(dir, "p.npy")
	code, out, errOut := runCLI(t, "scan", "-background", bg, "-eval", ev, "-background-labels", bl, "-eval-labels", el, "-pvalues", pv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc scanOutput
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.BackgroundLabels != bl || doc.EvalLabels != el || len(doc.Results) != 4 {
		t.Errorf("document %+v does not record the label files or has the wrong results", doc)
	}
	p, err := data.ReadNPY(pv)
	if err != nil {
		t.Fatal(err)
	}
	bgA, _ := data.ReadNPY(bg)
	evA, _ := data.ReadNPY(ev)
	// Direct count against the 10 background rows of the eval row's class.
	for i := range 4 {
		for k := range 6 {
			x := evA.Data[i*6+k]
			gt, ge, nb := 0, 0, 0
			for b := range 20 {
				if bgLabels[b] != evLabels[i] {
					continue
				}
				nb++
				v := bgA.Data[b*6+k]
				if v > x {
					gt++
				}
				if v >= x {
					ge++
				}
			}
			wantMin, wantMax := float32(float64(gt)/float64(nb+1)), float32(float64(ge+1)/float64(nb+1))
			if got := p.Data[(i*6+k)*2]; got != wantMin {
				t.Errorf("sample %d node %d: pmin %v, want %v", i, k, got, wantMin)
			}
			if got := p.Data[(i*6+k)*2+1]; got != wantMax {
				t.Errorf("sample %d node %d: pmax %v, want %v", i, k, got, wantMax)
			}
		}
	}
}

// -classes constrains the group's samples to one class.
func TestScanGroupClasses(t *testing.T) {
	dir, bg, ev := fixture(t)
	// Rows 2 and 3 are the anomalous ones; put them in different classes.
	cl := writeLabels(t, dir, "classes.npy", []int{0, 0, 0, 1})
	code, out, errOut := runCLI(t, "scan", "-background", bg, "-eval", ev, "-mode", "group", "-classes", cl)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc scanOutput
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Result == nil || doc.Classes != cl {
		t.Fatalf("document %+v", doc)
	}
	classes := []int{0, 0, 0, 1}
	for _, i := range doc.Result.Samples {
		if classes[i] != classes[doc.Result.Samples[0]] {
			t.Errorf("samples %v span several classes", doc.Result.Samples)
		}
	}
	_, free, _ := runCLI(t, "scan", "-background", bg, "-eval", ev, "-mode", "group")
	var freeDoc scanOutput
	if err := json.Unmarshal([]byte(free), &freeDoc); err != nil {
		t.Fatal(err)
	}
	if doc.Result.Score > freeDoc.Result.Score {
		t.Errorf("constrained score %v above unconstrained %v", doc.Result.Score, freeDoc.Result.Score)
	}
}

func TestScanLabelErrors(t *testing.T) {
	dir, bg, ev := fixture(t)
	bgLabels := make([]int, 20)
	short := writeLabels(t, dir, "short.npy", []int{0, 1})
	bl := writeLabels(t, dir, "bl.npy", bgLabels) // every background row in class 0
	el := writeLabels(t, dir, "el.npy", []int{0, 0, 3, 0})
	one := make([]int, 20)
	one[7] = 5 // class 5 has a single background row
	bl1 := writeLabels(t, dir, "bl1.npy", one)
	frac := writeActs(t, dir, "frac.npy", []int{4}, func(i int) float32 { return 0.5 })
	tests := []struct {
		name string
		args []string
		code int
		msg  []string
	}{
		{"labels alone", []string{"-background-labels", bl}, 2, []string{"-background-labels and -eval-labels go together"}},
		{"classes in individual mode", []string{"-classes", el}, 2, []string{"-classes applies to group mode only"}},
		{"background labels count", []string{"-background-labels", short, "-eval-labels", el}, 1, []string{short, "2 labels", bg, "20 samples"}},
		{"eval labels count", []string{"-background-labels", bl, "-eval-labels", short}, 1, []string{short, ev, "4 samples"}},
		{"class without background", []string{"-background-labels", bl, "-eval-labels", el}, 1, []string{ev, el, "sample 2 has class 3"}},
		{"class with one background row", []string{"-background-labels", bl1, "-eval-labels", el}, 1, []string{bg, bl1, "class 5"}},
		{"labels not integers", []string{"-background-labels", bl, "-eval-labels", frac}, 1, []string{frac, "not an integer"}},
		{"classes count", []string{"-mode", "group", "-classes", short}, 1, []string{short, "2 labels", ev}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, append([]string{"scan", "-background", bg, "-eval", ev}, tc.args...)...)
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

// encodeScanOutput writes what json.Encoder with SetIndent("", "  ")
// writes, byte for byte: empty, nil and long subsets, group and individual
// results, floats that encoding/json writes with an exponent.
func TestEncodeScanOutput(t *testing.T) {
	// A field added to scan.Result must be added to appendResult.
	if n := reflect.TypeFor[scan.Result]().NumField(); n != 4 {
		t.Fatalf("scan.Result has %d fields, appendResult writes 4", n)
	}
	long := make([]int, 300)
	for i := range long {
		long[i] = i * 37
	}
	head := scanOutput{Mode: "individual", ScoreFunction: "bj", Tail: 1, AlphaMax: 0.5, Background: "a<b>&.npy", Eval: "e.npy", Samples: 3, Nodes: 11100}
	group := head
	group.Mode, group.Restarts, group.Thresholds = "group", 2, "reference"
	group.Result = &scan.Result{Score: 1e-7, Alpha: 0.05, Samples: []int{0, 2}, Nodes: long}
	groupEmpty := group
	groupEmpty.Result = &scan.Result{Samples: []int{}, Nodes: []int{}}
	indiv := head
	indiv.Results = []scan.Result{
		{Score: 1593.2616426050583, Alpha: 0.2255914695101633, Nodes: []int{0, 6, 7}},
		{Score: 0, Alpha: 0, Nodes: nil},
		{Score: 3e21, Alpha: 1e-9, Nodes: []int{}},
		{Score: 2, Alpha: 0.5, Nodes: long},
	}
	// More results than encodeResults encodes at once with chunks of 1
	// and one worker: several groups.
	many := head
	many.Results = slices.Concat(indiv.Results, indiv.Results, indiv.Results[:1])
	noResults := head
	noResults.Results = []scan.Result{}
	for _, tc := range []struct {
		name string
		doc  scanOutput
	}{{"group", group}, {"group, empty", groupEmpty}, {"individual", indiv}, {"many", many}, {"no results", noResults}} {
		var want, got bytes.Buffer
		e := json.NewEncoder(&want)
		e.SetIndent("", "  ")
		if err := e.Encode(tc.doc); err != nil {
			t.Fatal(err)
		}
		// Chunks of one result and of several, on one goroutine and on
		// more than there are chunks.
		for _, chunk := range []int{1, 2, 16} {
			for _, workers := range []int{1, 3} {
				encodeChunk = chunk
				got.Reset()
				if err := encodeScanOutput(&got, tc.doc, workers); err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Errorf("%s, chunks of %d, %d workers: got\n%s\nwant\n%s", tc.name, chunk, workers, got.String(), want.String())
				}
			}
		}
		encodeChunk = 16
	}
	bad := head
	bad.Results = []scan.Result{{Score: math.NaN()}}
	if err := encodeScanOutput(io.Discard, bad, 0); err == nil {
		t.Errorf("NaN score: got no error")
	}
}

// Individual scans a batch of rows at a time give the results of all rows
// at once (computed with -pvalues, which needs them all), and a NaN in a
// later batch is reported at its row of the eval file.
func TestScanBatches(t *testing.T) {
	dir, bg, ev := fixture(t)
	defer func(b int) { batchBytes = b }(batchBytes)
	batchBytes = 16 * 6 // one row of 6 nodes a batch
	for _, args := range [][]string{{}, {"-alpha-fixed", "0.2"}, {"-tail", "2"}} {
		a := append([]string{"scan", "-background", bg, "-eval", ev}, args...)
		code, out, errOut := runCLI(t, append(a, "-pvalues", filepath.Join(dir, "p.npy"))...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		code, batched, errOut := runCLI(t, a...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if batched != out || !strings.Contains(out, `"samples": 4`) {
			t.Errorf("%v: batched output\n%s\ndiffers from\n%s", args, batched, out)
		}
	}
	nan := writeActs(t, dir, "nan.npy", []int{4, 2, 3}, func(i int) float32 {
		if i == 3*6+4 {
			return float32(math.Inf(1))
		}
		return 1
	})
	code, _, errOut := runCLI(t, "scan", "-background", bg, "-eval", nan)
	if code != 1 || !strings.Contains(errOut, nan) || !strings.Contains(errOut, "sample 3, node 4") {
		t.Errorf("exit %d, stderr %q, want 1 and sample 3, node 4 of %s", code, errOut, nan)
	}
}

// An eval file that is a pipe has no header to check ahead: a 0-d
// background is then refused when it is loaded, not indexed (it panicked),
// and a usable one is scanned as from a regular file.
func TestScanEvalPipe(t *testing.T) {
	dir, bg, ev := fixture(t)
	zero := writeActs(t, dir, "zero.npy", []int{}, func(int) float32 { return 1 })
	raw, err := os.ReadFile(ev)
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := runCLI(t, "scan", "-background", bg, "-eval", ev)
	for _, tc := range []struct{ bg, wantErr string }{{zero, "0-d array"}, {bg, ""}} {
		fifo := filepath.Join(t.TempDir(), "eval.npy")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("no FIFO: %v", err)
		}
		done := make(chan struct{})
		go func() { // as a shell's process substitution would
			defer close(done)
			if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				w.Write(raw)
				w.Close()
			}
		}()
		code, out, errOut := runCLI(t, "scan", "-background", tc.bg, "-eval", fifo)
		// Release the writer if the scan never opened the pipe.
		if r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			io.Copy(io.Discard, r)
			<-done
			r.Close()
		}
		<-done
		switch {
		case tc.wantErr != "" && (code == 0 || !strings.Contains(errOut, tc.wantErr)):
			t.Errorf("background %s: exit %d, stderr %q, want an error saying %q", tc.bg, code, errOut, tc.wantErr)
		case tc.wantErr == "" && (code != 0 || out != strings.Replace(want, ev, fifo, 1)):
			t.Errorf("eval from a pipe: exit %d (%s), output\n%s\nwant\n%s", code, errOut, out, want)
		}
	}
}
