package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"gonum.org/v1/gonum/blas/gonum"

	"subsetscan/data"
	"subsetscan/internal/par"
)

// node is a layer of a model, placed in its graph.
type node struct {
	name, kind string
	layer      layer
	// inputs are the indices of the layers whose outputs feed this one,
	// −1 for the model's input.
	inputs []int
	out    []int // per-sample output shape
	size   int   // number of output values per sample
	// live says whether the model's output depends on this layer's, so
	// that backward passes visit it.
	live bool
	// direct[j] says whether backward writes the gradient w.r.t. input j
	// straight into its source's buffer: the first gradient that reaches
	// the source in backward order. Later ones go to scratch and are
	// added, where an output feeds several layers.
	direct []bool
}

// Model is a network: an architecture with weights. Its methods may be
// called concurrently, except those that change the weights (LoadWeights,
// InitGlorot, Train, Step, and writes through Params).
type Model struct {
	Arch     Arch
	nodes    []node
	reducers sync.Pool // *reducer: Gradients' buffers, kept between calls
}

// last returns the output layer.
func (m *Model) last() *node { return &m.nodes[len(m.nodes)-1] }

// New builds a model of the architecture with zero weights, checking that
// the layer names are unique, that every layer's inputs are the model's
// input or earlier layers, and that the layers fit their input shapes.
// Errors name the architecture, the layer, its kind and its input shapes.
func New(arch Arch) (*Model, error) {
	if len(arch.Input) == 0 || slices.ContainsFunc(arch.Input, func(d int) bool { return d < 1 }) {
		return nil, fmt.Errorf("nn: %s: input shape %v must be positive", arch.Name, arch.Input)
	}
	if len(arch.Layers) == 0 {
		return nil, fmt.Errorf("nn: %s: no layers", arch.Name)
	}
	m := &Model{Arch: arch.clone()}
	index := map[string]int{"input": -1}
	for i, spec := range m.Arch.Layers {
		if _, seen := index[spec.Name]; spec.Name == "" || seen {
			return nil, fmt.Errorf("nn: %s: layer %d: name %q is empty, reserved or repeated", arch.Name, i, spec.Name)
		}
		nd, err := m.newNode(i, spec, index)
		if err != nil {
			return nil, err
		}
		m.nodes = append(m.nodes, nd)
		index[spec.Name] = i
	}
	m.wire()
	return m, nil
}

// newNode resolves layer i's inputs by name and builds it with its kind's
// constructor.
func (m *Model) newNode(i int, spec LayerSpec, index map[string]int) (node, error) {
	nd := node{name: spec.Name, kind: spec.Kind, inputs: []int{i - 1}}
	if len(spec.Inputs) > 0 {
		nd.inputs = nd.inputs[:0]
	}
	for _, name := range spec.Inputs {
		src, ok := index[name]
		if !ok {
			return nd, fmt.Errorf("nn: %s: layer %s (%s): input %q is neither \"input\" nor an earlier layer", m.Arch.Name, spec.Name, spec.Kind, name)
		}
		nd.inputs = append(nd.inputs, src)
	}
	shapes := make([][]int, len(nd.inputs))
	for j, src := range nd.inputs {
		shapes[j] = m.Arch.Input
		if src >= 0 {
			shapes[j] = m.nodes[src].out
		}
	}
	bad := func(err error) error {
		in := fmt.Sprint(shapes)
		if len(shapes) == 1 {
			in = fmt.Sprint(shapes[0])
		}
		return fmt.Errorf("nn: %s: layer %s (%s, input %s): %w", m.Arch.Name, spec.Name, spec.Kind, in, err)
	}
	newLayer, ok := kinds[spec.Kind]
	if !ok {
		return nd, bad(fmt.Errorf("unknown layer kind %q (known: %v)", spec.Kind, LayerKinds()))
	}
	l, err := newLayer(spec, shapes)
	if err != nil {
		return nd, bad(err)
	}
	if _, ok := l.(activated); !ok && spec.Activation != "" && spec.Activation != "linear" {
		return nd, bad(fmt.Errorf("activation %q on a kind of layer that has none", spec.Activation))
	}
	nd.layer, nd.out = l, l.outShape()
	nd.size = size(nd.out)
	return nd, nil
}

// wire marks the live layers and, for each source of a gradient (a layer
// or the model's input), the first edge that reaches it in backward order
// (layers from last to first, inputs in order).
func (m *Model) wire() {
	m.last().live = true
	reached := make([]bool, len(m.nodes)+1) // index src+1
	for i := len(m.nodes) - 1; i >= 0; i-- {
		nd := &m.nodes[i]
		nd.direct = make([]bool, len(nd.inputs))
		if !nd.live {
			continue
		}
		for j, src := range nd.inputs {
			nd.direct[j] = !reached[src+1]
			reached[src+1] = true
			if src >= 0 {
				m.nodes[src].live = true
			}
		}
	}
}

// Load builds a model of the architecture and loads its weights from the
// .npz file at path.
func Load(arch Arch, path string) (*Model, error) {
	m, err := New(arch)
	if err != nil {
		return nil, err
	}
	if err := m.LoadWeights(path); err != nil {
		return nil, err
	}
	return m, nil
}

// LoadWeights reads the params of every layer from a .npz file, under the
// keys "<layer>/<param>" ("conv2d_1/kernel", "conv2d_1/bias"). A missing
// key, a wrong shape or a NaN or infinity is an error naming the file, the
// key, the layer and the expected and actual shapes; the weights are then
// partly loaded.
func (m *Model) LoadWeights(path string) error {
	arrays, err := data.ReadNPZ(path)
	if err != nil {
		return fmt.Errorf("nn: loading weights: %w", err)
	}
	for _, nd := range m.nodes {
		for _, p := range nd.layer.params() {
			key := nd.name + "/" + p.name
			a, ok := arrays[key]
			if !ok {
				return fmt.Errorf("nn: %s: missing %q (layer %s needs shape %v)", path, key, nd.name, p.shape)
			}
			if !slices.Equal(a.Shape, p.shape) {
				return fmt.Errorf("nn: %s: %q has shape %v, layer %s needs %v", path, key, a.Shape, nd.name, p.shape)
			}
			for i, v := range a.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return fmt.Errorf("nn: %s: %q holds %v at flat index %d", path, key, v, i)
				}
			}
			copy(p.data, a.Data)
		}
	}
	return nil
}

// SaveWeights writes the params as a .npz file in Keras layouts, under the
// keys that LoadWeights reads, atomically.
func (m *Model) SaveWeights(path string) error {
	arrays := map[string]*data.Array{}
	for _, p := range m.Params() {
		arrays[p.Name] = &data.Array{Shape: p.Shape, Data: slices.Clone(p.Data)}
	}
	if err := data.WriteNPZ(path, arrays); err != nil {
		return fmt.Errorf("nn: saving weights to %s: %w", path, err)
	}
	return nil
}

// LayerNames returns the names of the layers in order.
func (m *Model) LayerNames() []string {
	names := make([]string, len(m.nodes))
	for i, nd := range m.nodes {
		names[i] = nd.name
	}
	return names
}

// OutputShape returns the per-sample output shape of a layer (no batch
// axis: [h, w, c] for an image, [n] after a Flatten or Dense layer), or
// the input's for "input"; false if there is no such layer.
func (m *Model) OutputShape(name string) ([]int, bool) {
	if name == "input" {
		return slices.Clone(m.Arch.Input), true
	}
	i := m.index(name)
	if i < 0 {
		return nil, false
	}
	return slices.Clone(m.nodes[i].out), true
}

// index returns the index of the layer called name, or −1.
func (m *Model) index(name string) int {
	return slices.IndexFunc(m.nodes, func(nd node) bool { return nd.name == name })
}

// ErrShape is wrapped by errors about inputs of the wrong shape.
var ErrShape = errors.New("input shape mismatch")

func (m *Model) checkInput(x *data.Array) error {
	if x.Len() == 0 || x.RowSize() != size(m.Arch.Input) {
		want := strings.Trim(fmt.Sprint(m.Arch.Input), "[]")
		return fmt.Errorf("nn: %s: %w: got images of shape %v, want [n %s]", m.Arch.Name, ErrShape, x.Shape, want)
	}
	return nil
}

// tape holds one sample's activations through the network, and the
// forward scratch shared by its layers.
type tape struct {
	out [][]float32   // each layer's own output buffer
	cur [][]float32   // where the current sample's outputs are: out, or Forward's destinations
	ins [][][]float32 // each layer's inputs for the current sample
	rec [][][]float32 // what each layer's training forward pass records for backward
	s   [][]float32   // forward scratch
	dst [][]float32   // Forward's per-layer destinations for the current sample
}

func (m *Model) newTape() *tape {
	n := len(m.nodes)
	t := &tape{out: make([][]float32, n), cur: make([][]float32, n), ins: make([][][]float32, n), rec: make([][][]float32, n)}
	var scratch []int
	for i, nd := range m.nodes {
		t.out[i] = make([]float32, nd.size)
		t.ins[i] = make([][]float32, len(nd.inputs))
		need := nd.layer.needs()
		t.rec[i] = allocAll(need.record)
		scratch = maxSizes(scratch, need.forward)
	}
	t.s = allocAll(scratch)
	return t
}

// maxSizes returns the elementwise maximum of sizes and more, as long as
// the longer.
func maxSizes(sizes, more []int) []int {
	for k, v := range more {
		if k == len(sizes) {
			sizes = append(sizes, 0)
		}
		sizes[k] = max(sizes[k], v)
	}
	return sizes
}

// allocAll allocates a buffer of each size.
func allocAll(sizes []int) [][]float32 {
	bufs := make([][]float32, len(sizes))
	for k, n := range sizes {
		bufs[k] = make([]float32, n)
	}
	return bufs
}

// run runs one sample x through the network. Layers from index train on
// run their training forward pass (recording what backward needs), those
// before it their inference pass, which gives the same outputs. Layer i
// writes its output into dst[i] when dst and dst[i] are not nil, else
// into t.out[i]; t.cur[i] says where it went.
func (m *Model) run(t *tape, x []float32, dst [][]float32, train int) {
	for i := range m.nodes {
		nd := &m.nodes[i]
		out := t.out[i]
		if dst != nil && dst[i] != nil {
			out = dst[i]
		}
		t.cur[i] = out
		ins := t.ins[i]
		for j, src := range nd.inputs {
			if src < 0 {
				ins[j] = x
			} else {
				ins[j] = t.cur[src]
			}
		}
		nd.layer.forward(out, ins, t.rec[i], t.s, i >= train)
	}
}

// forward runs one sample through the network's training pass into t.
func (m *Model) forward(t *tape, x []float32) { m.run(t, x, nil, 0) }

// output returns the model's output after run.
func (m *Model) output(t *tape) []float32 { return t.cur[len(m.nodes)-1] }

// transpose writes the transpose of the rows×cols matrix src into dst
// (cols×rows).
func transpose(dst, src []float32, rows, cols int) {
	const tile = 32
	for r0 := 0; r0 < rows; r0 += tile {
		r1 := min(r0+tile, rows)
		for c0 := 0; c0 < cols; c0 += tile {
			c1 := min(c0+tile, cols)
			for r := r0; r < r1; r++ {
				s := src[r*cols : (r+1)*cols]
				for c := c0; c < c1; c++ {
					dst[c*rows+r] = s[c]
				}
			}
		}
	}
}

// blasImpl is gonum's pure-Go BLAS, whose float32 axpy and dot run in
// assembly on amd64. Calling it directly keeps the small products of one
// sample serial: the samples are what runs in parallel.
var blasImpl gonum.Implementation

// dot returns Σ x[i]·y[i].
func dot(x, y []float32) float32 { return blasImpl.Sdot(len(x), x, 1, y, 1) }

// glorot fills w with Keras' Glorot-uniform values, drawn from rng in
// order: uniform on [−limit, limit) with limit = √(6 / (fanIn + fanOut)).
func glorot(rng *rand.Rand, w []float32, fanIn, fanOut int) {
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	for i := range w {
		w[i] = float32((2*rng.Float64() - 1) * limit)
	}
}

// forEach runs fn(tape, i) for every sample i of x on up to workers
// goroutines (0 means GOMAXPROCS), each with its own tape. Samples are
// independent, so results do not depend on workers.
func (m *Model) forEach(n, workers int, fn func(t *tape, i int)) {
	par.For(n, workers, m.newTape, fn)
}

// Forward runs the inputs x ([n, input shape...]) through the network and
// returns the outputs of the named layers ([n, output shape...] each:
// [n, h, w, c] for an image, [n, units] after a Flatten or Dense layer),
// keyed by name; nil layers means every layer. The name "input" returns x
// itself. Samples run in parallel on workers goroutines (0 means all
// cores).
func (m *Model) Forward(x *data.Array, layers []string, workers int) (map[string]*data.Array, error) {
	if err := m.checkInput(x); err != nil {
		return nil, err
	}
	if layers == nil {
		layers = m.LayerNames()
	}
	want := make([]*data.Array, len(m.nodes))
	out := map[string]*data.Array{}
	n := x.Len()
	for _, name := range layers {
		if name == "input" {
			out[name] = x
			continue
		}
		i := m.index(name)
		if i < 0 {
			return nil, fmt.Errorf("nn: %s has no layer %q (layers: %v)", m.Arch.Name, name, m.LayerNames())
		}
		want[i] = data.NewArray(append([]int{n}, m.nodes[i].out...)...)
		out[name] = want[i]
	}
	m.forEach(n, workers, func(t *tape, s int) {
		if t.dst == nil {
			t.dst = make([][]float32, len(want))
		}
		for i, a := range want {
			if a != nil {
				t.dst[i] = a.Row(s)
			}
		}
		m.run(t, x.Row(s), t.dst, len(m.nodes))
	})
	return out, nil
}

// Predict returns the output of the last layer for the inputs x.
func (m *Model) Predict(x *data.Array, workers int) (*data.Array, error) {
	last := m.last().name
	out, err := m.Forward(x, []string{last}, workers)
	if err != nil {
		return nil, err
	}
	return out[last], nil
}

// Logits returns the pre-activation output of the last layer (the logits
// of a softmax classifier), [n, outputs]. It is an error if the last layer
// has no activation (is not a Conv2D or Dense layer).
func (m *Model) Logits(x *data.Array, workers int) (*data.Array, error) {
	if err := m.checkInput(x); err != nil {
		return nil, err
	}
	last, err := m.activatedLast()
	if err != nil {
		return nil, err
	}
	out := data.NewArray(x.Len(), m.last().size)
	m.forEach(x.Len(), workers, func(t *tape, s int) {
		m.run(t, x.Row(s), nil, len(m.nodes)-1)
		copy(out.Row(s), last.preActivation(t.rec[len(m.nodes)-1]))
	})
	return out, nil
}

// activatedLast returns the last layer if it has a pre-activation output.
func (m *Model) activatedLast() (activated, error) {
	a, ok := m.last().layer.(activated)
	if !ok {
		return nil, fmt.Errorf("nn: %s: the last layer %s has no pre-activation output", m.Arch.Name, m.last().name)
	}
	return a, nil
}

// Argmax returns the index of the largest value of each row of p.
func Argmax(p *data.Array) []int {
	out := make([]int, p.Len())
	for i := range out {
		row := p.Row(i)
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		out[i] = best
	}
	return out
}
