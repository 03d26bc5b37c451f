// Command benchgen writes the inputs of the whole-process benchmark
// (scripts/bench-cli.sh): a background and an evaluation set of float32
// activations as .npy files, laid out as numpy.save writes them (version 1.0
// header, little-endian, C order).
//
// The values look like the outputs of a ReLU layer: node k has its own
// offset and scale, and a value is max(0, offset_k + scale_k·z) for a
// standard normal z, so that about half the values are exact zeros. Every
// tenth evaluation row is anomalous: 5% of its nodes (the same for every
// such row) are shifted up by two of their scales. Everything is drawn from
// the seed, so a seed gives the same files bit for bit.
//
// Usage:
//
//	go run ./internal/benchgen -seed 1 -background 3000 -eval 1000 -nodes 4096 -dir DIR
//
// writes DIR/bg.npy (3000×4096) and DIR/ev.npy (1000×4096).
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"subsetscan/data"
)

func main() {
	seed := flag.Uint64("seed", 1, "seed of every draw")
	nBG := flag.Int("background", 3000, "background rows")
	nEval := flag.Int("eval", 1000, "evaluation rows")
	nodes := flag.Int("nodes", 4096, "nodes per row")
	dir := flag.String("dir", ".", "output directory (bg.npy, ev.npy)")
	flag.Parse()
	if *nBG < 1 || *nEval < 1 || *nodes < 1 {
		fmt.Fprintln(os.Stderr, "benchgen: -background, -eval and -nodes must be ≥ 1")
		os.Exit(2)
	}
	if err := generate(*dir, *seed, *nBG, *nEval, *nodes); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}

func generate(dir string, seed uint64, nBG, nEval, nodes int) error {
	// One stream for the node parameters, one per file: changing the row
	// count of one file leaves the other's values unchanged.
	prm := rand.New(rand.NewPCG(seed, 0))
	offset := make([]float64, nodes)
	scale := make([]float64, nodes)
	shifted := make([]bool, nodes)
	for k := range nodes {
		offset[k] = 0.5 * prm.NormFloat64()
		scale[k] = 0.5 + prm.Float64()
		shifted[k] = prm.Float64() < 0.05
	}
	fill := func(rows int, stream uint64, anomalous func(i int) bool) *data.Array {
		rng := rand.New(rand.NewPCG(seed, stream))
		a := data.NewArray(rows, nodes)
		for i := range rows {
			row := a.Row(i)
			anom := anomalous(i)
			for k := range row {
				v := offset[k] + scale[k]*rng.NormFloat64()
				if anom && shifted[k] {
					v += 2 * scale[k]
				}
				row[k] = float32(math.Max(0, v))
			}
		}
		return a
	}
	bg := fill(nBG, 1, func(int) bool { return false })
	if err := data.WriteNPY(filepath.Join(dir, "bg.npy"), bg); err != nil {
		return err
	}
	ev := fill(nEval, 2, func(i int) bool { return i%10 == 0 })
	return data.WriteNPY(filepath.Join(dir, "ev.npy"), ev)
}
