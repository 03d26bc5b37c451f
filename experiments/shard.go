package experiments

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"subsetscan/report"
)

// Cell is one independent piece of a config's work: the scans of one
// layer, or, for group scans, of one layer, set and proportion. A run
// restricted to some cells (Env.Cells) gives, for each of them, exactly
// the numbers an unrestricted run gives.
type Cell struct {
	// Layer is the layer scanned.
	Layer string `json:"layer"`
	// Set and Proportion name the set and contamination proportion of a
	// group-scan cell; Set is "" for a cell of every set of the layer.
	Set        string  `json:"set,omitempty"`
	Proportion float64 `json:"proportion,omitempty"`
	// Cost estimates the cell's own work, in values read (rows × nodes).
	// Shared estimates the work every cell of the layer needs (its
	// p-values), done once by a shard that has several of them.
	Cost   float64 `json:"cost"`
	Shared float64 `json:"shared,omitempty"`
}

// ID names the cell: the layer, followed for a group-scan cell by the set
// and the proportion, separated by slashes.
func (c Cell) ID() string {
	if c.Set == "" {
		return c.Layer
	}
	return c.Layer + "/" + c.Set + "/" + strconv.FormatFloat(c.Proportion, 'g', -1, 64)
}

// Sharded is implemented by kinds whose work splits into cells that can
// run in separate processes (subsetscan run -shard K/N) and be merged
// into the results of an unsharded run.
type Sharded interface {
	Kind
	// Cells returns the cells of cfg, whose Settings are those Decode
	// returned, in the order of the unsharded run's results. It needs the
	// model's architecture, not its weights.
	Cells(cfg *Config) ([]Cell, error)
	// Prepare runs the steps every cell needs and that are costly (the
	// attacks generating the anomalous sets), leaving their results in
	// the cache of env.Dir, which Run then reuses. The runner calls it
	// under the results directory's lock, so that concurrent shards never
	// compute or write them twice.
	Prepare(ctx context.Context, cfg *Config, env Env) error
}

// Assign splits cells into n shards of about equal cost and returns the
// indices of each shard's cells, ascending. It is deterministic:
//
//  1. The cells of a layer form one unit, whose cost is the layer's
//     Shared cost plus its cells' Costs: a shard with several cells of a
//     layer computes its p-values once.
//  2. While the costliest unit (the first of equals) costs more than a
//     shard's share of the whole (the total over n) and has more than one
//     cell, it is halved (its first half of cells, rounded up, and the
//     rest), each half bearing the Shared cost.
//  3. The units are dealt by the greedy longest-processing-time rule: by
//     decreasing cost (ties: in the cells' order), each to the shard with
//     the least cost so far (ties: the lower shard).
//
// A shard gets no cell when there are fewer cells than shards. It panics
// if n < 1.
func Assign(cells []Cell, n int) [][]int {
	if n < 1 {
		panic("experiments: Assign to fewer than one shard")
	}
	units, total := layerUnits(cells)
	share := total / float64(n)
	for len(units) > 0 {
		i := 0
		for j, u := range units {
			if u.cost > units[i].cost {
				i = j
			}
		}
		u := units[i]
		if u.cost <= share || len(u.cells) < 2 {
			break
		}
		half := (len(u.cells) + 1) / 2
		a, b := unitOf(cells, u.cells[:half]), unitOf(cells, u.cells[half:])
		units = slices.Insert(slices.Delete(units, i, i+1), i, a, b)
	}
	slices.SortStableFunc(units, func(a, b unit) int { return cmp.Compare(b.cost, a.cost) })
	load := make([]float64, n)
	out := make([][]int, n)
	for _, u := range units {
		best := 0
		for s := range n {
			if load[s] < load[best] {
				best = s
			}
		}
		load[best] += u.cost
		out[best] = append(out[best], u.cells...)
	}
	for _, o := range out {
		slices.Sort(o)
	}
	return out
}

// unit is cells of one layer that go to one shard, and their cost.
type unit struct {
	cells []int
	cost  float64
}

// layerUnits returns one unit per layer of cells, in the order of their
// first cells, and the sum of their costs.
func layerUnits(cells []Cell) ([]unit, float64) {
	var layers []string
	byLayer := map[string][]int{}
	for i, c := range cells {
		if byLayer[c.Layer] == nil {
			layers = append(layers, c.Layer)
		}
		byLayer[c.Layer] = append(byLayer[c.Layer], i)
	}
	units := make([]unit, len(layers))
	total := 0.0
	for i, l := range layers {
		units[i] = unitOf(cells, byLayer[l])
		total += units[i].cost
	}
	return units, total
}

// unitOf returns the unit of the cells idx, all of one layer.
func unitOf(cells []Cell, idx []int) unit {
	u := unit{cells: idx, cost: cells[idx[0]].Shared}
	for _, i := range idx {
		u.cost += cells[i].Cost
	}
	return u
}

// AssembleCells puts together the results of parts, each a run
// restricted to some of cells (nil for a part without cells), into the
// results of the unrestricted run: the parts' common fields (which the
// caller has checked to agree) from the first part that has results, the
// layers and group points in the order of cells, and the pixel maps of
// the part that has them. A cell without its results, or with them in two
// parts, is an error naming it.
func AssembleCells(cells []Cell, parts []*report.Results) (*report.Results, error) {
	var base *report.Results
	layers := map[string][]*report.Layer{}
	points := map[string][]report.GroupPoint{} // by cell ID
	var pixels []report.PixelMap
	for _, p := range parts {
		if p == nil {
			continue
		}
		if base == nil {
			base = p
		}
		for i := range p.Layers {
			layers[p.Layers[i].Layer] = append(layers[p.Layers[i].Layer], &p.Layers[i])
		}
		for _, gl := range p.Group {
			for _, pt := range gl.Points {
				id := Cell{Layer: gl.Layer, Set: pt.Set, Proportion: pt.Proportion}.ID()
				points[id] = append(points[id], pt)
			}
		}
		pixels = append(pixels, p.PixelMaps...)
	}
	if base == nil {
		return nil, fmt.Errorf("experiments: no part has results")
	}
	out := *base
	out.Layers, out.Group, out.PixelMaps = nil, nil, pixels
	for _, c := range cells {
		if err := addCell(&out, c, layers, points); err != nil {
			return nil, err
		}
	}
	for id := range layers {
		return nil, fmt.Errorf("experiments: results of layer %s, which is no cell of the config", id)
	}
	for id := range points {
		return nil, fmt.Errorf("experiments: results of %s, which is no cell of the config", id)
	}
	return &out, nil
}

// addCell appends the results of c, taken out of layers (a layer cell) or
// points (a group-scan cell), to out.
func addCell(out *report.Results, c Cell, layers map[string][]*report.Layer, points map[string][]report.GroupPoint) error {
	id := c.ID()
	n := len(points[id])
	if c.Set == "" {
		n = len(layers[c.Layer])
	}
	if n != 1 {
		return fmt.Errorf("experiments: cell %s: results in %d parts, want 1", id, n)
	}
	if c.Set == "" {
		out.Layers = append(out.Layers, *layers[c.Layer][0])
		delete(layers, c.Layer)
		return nil
	}
	if k := len(out.Group); k == 0 || out.Group[k-1].Layer != c.Layer {
		out.Group = append(out.Group, report.GroupLayer{Layer: c.Layer})
	}
	g := &out.Group[len(out.Group)-1]
	g.Points = append(g.Points, points[id][0])
	delete(points, id)
	return nil
}

// cellLayers returns the layers of layers that e.Cells has a cell of, in
// order; all of them when e.Cells is nil (an unrestricted run).
func (e Env) cellLayers(layers []string) []string {
	if e.Cells == nil {
		return layers
	}
	return slices.DeleteFunc(slices.Clone(layers), func(l string) bool {
		return !slices.ContainsFunc(e.Cells, func(c Cell) bool { return c.Layer == l })
	})
}

// hasGroupCell reports whether e.Cells has the group-scan cell of layer,
// set and proportion, or is nil (an unrestricted run).
func (e Env) hasGroupCell(layer, set string, prop float64) bool {
	return e.Cells == nil || slices.ContainsFunc(e.Cells, func(c Cell) bool { return c.Layer == layer && c.Set == set && c.Proportion == prop })
}
