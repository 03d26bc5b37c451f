package scan_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"testing"

	"subsetscan/internal/refdata"
	"subsetscan/scan"
)

// refCase is one case of ../shared/reference/golden/scan_reference.json,
// produced by the authors' Python scanner (see its README).
type refCase struct {
	Name       string      `json:"name"`
	Background [][]float64 `json:"background"`
	Eval       [][]float64 `json:"eval"`
	Tails      map[string]refTail
}

type refTail struct {
	PValueRanges [][][2]float64            `json:"pvalue_ranges"`
	Individual   map[string][]refResult    `json:"individual"`
	Fixed        map[string][]refResult    `json:"individual_fixed_alpha_0.05"`
	Group        map[string]refGroupResult `json:"group"`
}

type refResult struct {
	Score float64 `json:"score"`
	Alpha float64 `json:"alpha"`
	Nodes []int   `json:"nodes"`
}

type refGroupResult struct {
	refResult
	Images []int `json:"images"`
}

func loadReference(t *testing.T) []refCase {
	t.Helper()
	path := refdata.Path(t, "golden/scan_reference.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []map[string]json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var cases []refCase
	for _, m := range doc.Cases {
		var c refCase
		c.Tails = map[string]refTail{}
		for k, v := range m {
			var err error
			switch k {
			case "name":
				err = json.Unmarshal(v, &c.Name)
			case "background":
				err = json.Unmarshal(v, &c.Background)
			case "eval":
				err = json.Unmarshal(v, &c.Eval)
			case "1tail", "2tail":
				var tl refTail
				err = json.Unmarshal(v, &tl)
				c.Tails[k] = tl
			}
			if err != nil {
				t.Fatalf("%s: key %s: %v", path, k, err)
			}
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		t.Fatalf("%s: no cases", path)
	}
	return cases
}

// flatten32 converts the JSON rows to the float32 row-major layout of
// activations; the reference values are all exactly representable.
func flatten32(t *testing.T, rows [][]float64) ([]float32, int) {
	t.Helper()
	var out []float32
	for _, r := range rows {
		for _, v := range r {
			f := float32(v)
			if float64(f) != v {
				t.Fatalf("reference value %v is not a float32", v)
			}
			out = append(out, f)
		}
	}
	return out, len(rows[0])
}

// relTol is the relative tolerance the issue sets for scores.
const relTol = 1e-9

func sameScore(got, want float64) bool {
	if want == 0 {
		return math.Abs(got) <= relTol
	}
	return math.Abs(got-want) <= relTol*math.Abs(want)
}

func sameSet(got, want []int) bool {
	g := slices.Clone(got)
	w := slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(slices.Compact(g), slices.Compact(w))
}

func TestReferenceParity(t *testing.T) {
	for _, c := range loadReference(t) {
		bg, j := flatten32(t, c.Background)
		ev, _ := flatten32(t, c.Eval)
		back, err := scan.NewBackground(bg, len(c.Background), j, 0)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for _, tailName := range []string{"1tail", "2tail"} {
			want := c.Tails[tailName]
			tail := scan.Upper
			if tailName == "2tail" {
				tail = scan.TwoTailed
			}
			name := fmt.Sprintf("%s/%s", c.Name, tailName)
			r, err := back.PValues(ev, tail, 0)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			t.Run(name+"/pvalues", func(t *testing.T) {
				if len(want.PValueRanges) != r.N {
					t.Fatalf("got %d rows, want %d", r.N, len(want.PValueRanges))
				}
				for i, row := range want.PValueRanges {
					pmin, pmax := r.Row(i)
					for k, pr := range row {
						if !sameScore(pmin[k], pr[0]) || !sameScore(pmax[k], pr[1]) {
							t.Fatalf("sample %d node %d: got [%v, %v], want %v", i, k, pmin[k], pmax[k], pr)
						}
					}
				}
			})
			for _, sname := range []string{"bj", "hc", "ks"} {
				score, err := scan.ScorerByName(sname)
				if err != nil {
					t.Fatal(err)
				}
				t.Run(name+"/individual/"+sname, func(t *testing.T) {
					got, err := scan.IndividualAll(r, score, 0.5, 0, 1)
					if err != nil {
						t.Fatal(err)
					}
					checkResults(t, got, want.Individual[sname])
				})
				t.Run(name+"/fixed/"+sname, func(t *testing.T) {
					got, err := scan.IndividualAll(r, score, 0.5, 0.05, 2)
					if err != nil {
						t.Fatal(err)
					}
					checkResults(t, got, want.Fixed[sname])
				})
				t.Run(name+"/group/"+sname, func(t *testing.T) {
					got, err := scan.Group(r, scan.GroupOptions{Score: score, AlphaMax: 0.5, Restarts: 2})
					if err != nil {
						t.Fatal(err)
					}
					w := want.Group[sname]
					if !sameScore(got.Score, w.Score) || got.Alpha != w.Alpha ||
						!sameSet(got.Samples, w.Images) || !sameSet(got.Nodes, w.Nodes) {
						t.Errorf("got %+v,\nwant %+v", got, w)
					}
				})
			}
		}
	}
}

func checkResults(t *testing.T, got []scan.Result, want []refResult) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if !sameScore(g.Score, w.Score) || g.Alpha != w.Alpha || !sameSet(g.Nodes, w.Nodes) {
			t.Errorf("row %d: got %+v, want %+v", i, g, w)
		}
	}
}
