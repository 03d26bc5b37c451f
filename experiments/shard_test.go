package experiments_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"subsetscan/configs"
	"subsetscan/experiments"
	"subsetscan/report"
)

func TestAssign(t *testing.T) {
	own := func(costs ...float64) []experiments.Cell { // one layer per cell
		cells := make([]experiments.Cell, len(costs))
		for i, c := range costs {
			cells[i] = experiments.Cell{Layer: fmt.Sprint("l", i), Cost: c}
		}
		return cells
	}
	layer := func(name string, k int, cost, shared float64) []experiments.Cell {
		cells := make([]experiments.Cell, k)
		for i := range cells {
			cells[i] = experiments.Cell{Layer: name, Set: "s", Proportion: float64(i+1) / 10, Cost: cost, Shared: shared}
		}
		return cells
	}
	for _, tc := range []struct {
		name  string
		cells []experiments.Cell
		n     int
		want  [][]int
	}{
		{"one shard", own(1, 2, 3), 1, [][]int{{0, 1, 2}}},
		// By decreasing cost, each to the least loaded shard (ties: the
		// lower): 0 → s0 (3), 1 → s1 (3), 2 → s0 (5), 3 → s1 (5), 4 → s0 (7).
		{"LPT", own(3, 3, 2, 2, 2), 2, [][]int{{0, 2, 4}, {1, 3}}},
		{"more shards than cells", own(1, 1), 3, [][]int{{0}, {1}, nil}},
		// Two layers of 1 + 1 + 4 shared: each fits a shard's share (6).
		{"layers kept together", append(layer("a", 2, 1, 4), layer("b", 2, 1, 4)...), 2, [][]int{{0, 1}, {2, 3}}},
		// Layer a costs 4·3 + 2 = 14 > 16/2: halved into two units of
		// 2·3 + 2 = 8; then a1 → s0, a2 → s1, b (2) → s0.
		{"heavy layer halved", append(layer("a", 4, 3, 2), layer("b", 1, 2, 0)...), 2, [][]int{{0, 1, 4}, {2, 3}}},
		{"no cells", nil, 2, [][]int{nil, nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := experiments.Assign(tc.cells, tc.n)
			if len(got) != tc.n {
				t.Fatalf("%d shards, want %d", len(got), tc.n)
			}
			for s := range got {
				if !slices.Equal(got[s], tc.want[s]) {
					t.Errorf("got %v, want %v", got, tc.want)
					break
				}
			}
		})
	}
}

func ExampleAssign() {
	cells := []experiments.Cell{
		{Layer: "conv2d_1", Cost: 12544},
		{Layer: "max_pooling2d_1", Cost: 3136},
		{Layer: "conv2d_2", Cost: 1568},
		{Layer: "conv2d_7", Cost: 784},
		{Layer: "up_sampling2d_3", Cost: 12544},
	}
	for k, shard := range experiments.Assign(cells, 3) {
		var ids []string
		for _, i := range shard {
			ids = append(ids, cells[i].ID())
		}
		fmt.Printf("shard %d of 3: %s\n", k+1, strings.Join(ids, ", "))
	}
	// Output:
	// shard 1 of 3: conv2d_1
	// shard 2 of 3: up_sampling2d_3
	// shard 3 of 3: max_pooling2d_1, conv2d_2, conv2d_7
}

// TestCells checks the cells of the two sharded kinds: one per layer of
// ae-mnist, in the model's order, costed by node count; one per layer,
// set and proportion of a group config, layer by layer; and the error
// of repeated proportions.
func TestCells(t *testing.T) {
	models, err := configs.ExtractModels(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := configs.Read("ae-mnist")
	cfg, err := experiments.ParseConfig(raw, "", experiments.Vars{Models: models})
	if err != nil {
		t.Fatal(err)
	}
	cells := cellsOf(t, cfg)
	if len(cells) != 13 || cells[0].ID() != "conv2d_1" || cells[12].ID() != "conv2d_7" {
		t.Fatalf("ae-mnist cells %v", cells)
	}
	// conv2d_1 is 28 × 28 × 16 nodes; 8500 background and clean rows.
	if cells[0].Cost != 12544*8500 || cells[0].Shared != 0 {
		t.Errorf("conv2d_1: %+v", cells[0])
	}
	group := fmt.Sprintf(`name: g
kind: autoencoder-group
seed: 1
dataset: {name: mnist, split: test, background: [0, 200], clean: [7000, 7100]}
model: {arch: autoencoder, weights: %s/autoencoder.npz}
classifier: {arch: classifier, weights: %s/classifier.npz}
layers: [conv2d_1, conv2d_7]
scan: {mode: group, score: bj, tail: 1, alpha_max: 0.5}
autoencoder-group:
  attack_source: [8500, 8600]
  sets: [{name: fgsm, attack: {method: fgsm, eps: 0.1}}, {name: bim, attack: {method: bim, eps: 0.1, eps_step: 0.01, max_iter: 3}}]
  group: {size: 10, proportions: [0.1, 0.5], runs: 3}
`, models, models)
	cfg, err = experiments.ParseConfig([]byte(group), "", experiments.Vars{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cellsOf(t, cfg) {
		ids = append(ids, c.ID())
	}
	want := []string{"conv2d_1/fgsm/0.1", "conv2d_1/fgsm/0.5", "conv2d_1/bim/0.1", "conv2d_1/bim/0.5",
		"conv2d_7/fgsm/0.1", "conv2d_7/fgsm/0.5", "conv2d_7/bim/0.1", "conv2d_7/bim/0.5"}
	if !slices.Equal(ids, want) {
		t.Errorf("group cells %v, want %v", ids, want)
	}
	cfg, err = experiments.ParseConfig([]byte(strings.Replace(group, "[0.1, 0.5]", "[0.1, 0.5, 0.1]", 1)), "", experiments.Vars{})
	if err != nil {
		t.Fatal(err)
	}
	kind, _ := experiments.Lookup(cfg.Kind)
	if _, err := kind.(experiments.Sharded).Cells(cfg); err == nil || !strings.Contains(err.Error(), "group.proportions[2]") {
		t.Errorf("repeated proportion: got %v", err)
	}
}

func cellsOf(t *testing.T, cfg *experiments.Config) []experiments.Cell {
	t.Helper()
	kind, _ := experiments.Lookup(cfg.Kind)
	sk, ok := kind.(experiments.Sharded)
	if !ok {
		t.Fatalf("kind %s is not sharded", cfg.Kind)
	}
	cells, err := sk.Cells(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cells
}

// TestAssembleCells puts parts together in the cells' order and rejects
// a cell without results, with results in two parts, and results of no
// cell.
func TestAssembleCells(t *testing.T) {
	cells := []experiments.Cell{{Layer: "a"}, {Layer: "b"}, {Layer: "c"}}
	layer := func(names ...string) *report.Results {
		r := &report.Results{Experiment: "x"}
		for _, n := range names {
			r.Layers = append(r.Layers, report.Layer{Layer: n})
		}
		return r
	}
	got, err := experiments.AssembleCells(cells, []*report.Results{layer("c", "a"), nil, layer("b")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Layers) != 3 || got.Layers[0].Layer != "a" || got.Layers[1].Layer != "b" || got.Layers[2].Layer != "c" {
		t.Errorf("layers %+v", got.Layers)
	}
	group := []experiments.Cell{{Layer: "a", Set: "s", Proportion: 0.1}, {Layer: "a", Set: "s", Proportion: 0.5}, {Layer: "b", Set: "s", Proportion: 0.1}}
	points := func(layer string, props ...float64) *report.Results {
		gl := report.GroupLayer{Layer: layer}
		for _, p := range props {
			gl.Points = append(gl.Points, report.GroupPoint{Set: "s", Proportion: p})
		}
		return &report.Results{Group: []report.GroupLayer{gl}}
	}
	g, err := experiments.AssembleCells(group, []*report.Results{points("a", 0.5), points("b", 0.1), points("a", 0.1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Group) != 2 || len(g.Group[0].Points) != 2 || g.Group[0].Points[0].Proportion != 0.1 || g.Group[1].Layer != "b" {
		t.Errorf("group %+v", g.Group)
	}
	for _, tc := range []struct {
		name  string
		parts []*report.Results
		want  string
	}{
		{"missing", []*report.Results{layer("a"), layer("c")}, "cell b: results in 0 parts"},
		{"twice", []*report.Results{layer("a", "b"), layer("b", "c")}, "cell b: results in 2 parts"},
		{"extra", []*report.Results{layer("a", "b", "c", "d")}, "layer d, which is no cell"},
		{"none", []*report.Results{nil, nil}, "no part has results"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := experiments.AssembleCells(cells, tc.parts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
