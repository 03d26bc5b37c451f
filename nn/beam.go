package nn

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// BeamDecode returns the labelling that CTC prefix beam search finds most
// probable in logits [T, classes], with its log-probability (the sum over
// the paths collapsing to it, as CTCLoss computes, up to rounding), keeping
// the width most probable prefixes after each frame (Hannun et al. 2014,
// "First-pass large vocabulary continuous speech recognition using
// bi-directional recurrent DNNs", without a language model). Ties between
// prefixes of equal probability break on their labels (the smaller
// sequence first), so the result is deterministic. With width ≥ the number
// of labellings, the result is the most probable labelling exactly. It
// panics if width < 1 or, as CTCLoss does, on a malformed shape.
func BeamDecode(logits []float32, classes, blank, width int) ([]int, float64) {
	T := ctcFrames(logits, classes, blank)
	if width < 1 {
		panic(fmt.Sprintf("nn: BeamDecode: width %d", width))
	}
	lp := logSoftmaxRows(logits, classes)
	b := &beamSearch{blank: blank, width: width, index: map[prefixID]int{}}
	root := &prefixNode{label: -1}
	beam := []beamEntry{{node: root, pb: 0, pnb: math.Inf(-1)}}
	for t := range T {
		beam = b.step(beam, lp[t*classes:(t+1)*classes])
	}
	return beam[0].node.labels(), beam[0].total
}

// prefixNode is a prefix kept in a beam: its last label and the prefix
// before it, and the prefixes kept that extend it by one label.
type prefixNode struct {
	parent   *prefixNode
	label    int
	children []*prefixNode
}

// child returns the node of the prefix n + k, making it if needed.
func (n *prefixNode) child(k int) *prefixNode {
	for _, c := range n.children {
		if c.label == k {
			return c
		}
	}
	c := &prefixNode{parent: n, label: k}
	n.children = append(n.children, c)
	return c
}

// labels returns the prefix's labels.
func (n *prefixNode) labels() []int {
	out := []int{}
	for ; n.parent != nil; n = n.parent {
		out = append(out, n.label)
	}
	slices.Reverse(out)
	return out
}

// prefixID names a candidate prefix: a kept prefix p extended by label k,
// or p itself for k = −1. A prefix kept earlier is named by its parent
// and its label, so each prefix has one name.
type prefixID struct {
	p *prefixNode
	k int
}

// labels returns the candidate's labels.
func (id prefixID) labels() []int {
	if id.k < 0 {
		return id.p.labels()
	}
	return append(id.p.labels(), id.k)
}

// beamEntry is a prefix with the log-probabilities of the frames so far
// given that its paths end in a blank (pb) or in its last label (pnb),
// and their log-sum total.
type beamEntry struct {
	node           *prefixNode // the kept prefix, once kept
	id             prefixID
	seq            int // the order in which the step met it
	pb, pnb, total float64
}

// beamSearch holds a search's settings and its buffers, reused frame
// after frame.
type beamSearch struct {
	blank, width int
	index        map[prefixID]int // candidates' indices in cand
	cand, prev   []beamEntry
	top          []beamEntry // best's result
}

// get returns the candidate named id, adding it if needed.
func (b *beamSearch) get(id prefixID) *beamEntry {
	if id.k >= 0 {
		for _, c := range id.p.children {
			if c.label == id.k {
				id = prefixID{c, -1}
			}
		}
	}
	if i, ok := b.index[id]; ok {
		return &b.cand[i]
	}
	b.index[id] = len(b.cand)
	b.cand = append(b.cand, beamEntry{id: id, seq: len(b.cand), pb: math.Inf(-1), pnb: math.Inf(-1)})
	return &b.cand[len(b.cand)-1]
}

// step extends every prefix of beam by one frame of log-probabilities row
// and returns the width most probable prefixes. The returned entries live
// in the search's buffer until the next step.
func (b *beamSearch) step(beam []beamEntry, row []float64) []beamEntry {
	if need := len(beam) * len(row); cap(b.cand) < need {
		b.cand = make([]beamEntry, 0, need) // get's pointers stay valid
	}
	// beam lives in b.cand: copy it first.
	b.prev = append(b.prev[:0], beam...)
	b.cand = b.cand[:0]
	clear(b.index)
	for _, e := range b.prev {
		same := b.get(prefixID{e.node, -1})
		same.pb = logAdd(same.pb, e.total+row[b.blank])
		for k, l := range row {
			if k == b.blank {
				continue
			}
			ext := b.get(prefixID{e.node, k})
			if e.node.parent != nil && e.node.label == k {
				// A repeat extends the prefix only after a blank; without
				// one it merges into the same prefix.
				same.pnb = logAdd(same.pnb, e.pnb+l)
				ext.pnb = logAdd(ext.pnb, e.pb+l)
			} else {
				ext.pnb = logAdd(ext.pnb, e.total+l)
			}
		}
	}
	for i := range b.cand {
		b.cand[i].total = logAdd(b.cand[i].pb, b.cand[i].pnb)
	}
	kept := b.best()
	for i := range kept {
		id := kept[i].id
		kept[i].node = id.p
		if id.k >= 0 {
			kept[i].node = id.p.child(id.k)
		}
	}
	return kept
}

// best returns the width best candidates, most probable first, in b.top:
// each candidate is inserted into the sorted list of the best so far.
func (b *beamSearch) best() []beamEntry {
	b.top = b.top[:0]
	for _, c := range b.cand {
		n := len(b.top)
		if n == b.width && beamOrder(c, b.top[n-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(b.top, c, beamOrder)
		if n < b.width {
			b.top = append(b.top, beamEntry{})
		}
		copy(b.top[i+1:], b.top[i:])
		b.top[i] = c
	}
	return b.top
}

// beamOrder orders candidates by decreasing probability, then by their
// labels; impossible ones (probability 0) in the order the step met them.
// No two candidates are equal.
func beamOrder(x, y beamEntry) int {
	if c := cmp.Compare(y.total, x.total); c != 0 {
		return c
	}
	if math.IsInf(x.total, -1) {
		return cmp.Compare(x.seq, y.seq)
	}
	return slices.Compare(x.id.labels(), y.id.labels())
}
