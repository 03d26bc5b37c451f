package experiments

import (
	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/nn/fake"
	"subsetscan/nn/gan"
)

// ganData are the images of a subsetgan run: the real images of the split,
// the held-out fakes of each generator and the mixed set, and the training
// pool FakeSpotter is fitted on.
type ganData struct {
	real fake.Real
	// ts and ae are the held-out fakes; mixed is the first half (rounded
	// up) of ts followed by the first half of ae.
	ts, ae, mixed *data.Array
	pool          *data.Array
	// aeSources are the real images the first held-out AE fakes edit, in
	// their order, for the before/after grid.
	aeSources *data.Array
	// aeClipped is the mean per pixel of what clipping the held-out AE
	// edits to [0, 1] removed.
	aeClipped float64
}

// ganModels are the networks of a subsetgan run, loaded from the config.
type ganModels struct {
	tsG, tsD, aeG, aeD, resnet, squeezenet, recogniser, autogan *nn.Model
}

// loadNet loads the weights at path into the architecture arch; errors
// name key.
func loadNet(key, arch, path string) (*nn.Model, error) {
	a, err := nn.ArchByName(arch)
	if err != nil {
		return nil, keyErr(key+".arch", "%v", err)
	}
	m, err := nn.Load(a, path)
	if err != nil {
		return nil, keyErr(key+".weights", "%v", err)
	}
	return m, nil
}

// load loads every network of the settings under key.
func (s *subsetGANSettings) load(key string) (*ganModels, error) {
	var m ganModels
	for _, n := range []struct {
		dst            **nn.Model
		key, arch, wts string
	}{
		{&m.tsG, ".ts.generator", s.TS.Generator.Arch, s.TS.Generator.Weights},
		{&m.tsD, ".ts.discriminator", s.TS.Discriminator.Arch, s.TS.Discriminator.Weights},
		{&m.aeG, ".ae.generator", s.AE.Generator.Arch, s.AE.Generator.Weights},
		{&m.aeD, ".ae.discriminator", s.AE.Discriminator.Arch, s.AE.Discriminator.Weights},
		{&m.resnet, ".resnet", s.ResNet.Arch, s.ResNet.Weights},
		{&m.squeezenet, ".squeezenet", s.SqueezeNet.Arch, s.SqueezeNet.Weights},
		{&m.recogniser, ".baselines.recogniser", s.Baselines.Recogniser.Arch, s.Baselines.Recogniser.Weights},
		{&m.autogan, ".baselines.autogan", s.Baselines.AutoGAN.Arch, s.Baselines.AutoGAN.Weights},
	} {
		var err error
		if *n.dst, err = loadNet(key+n.key, n.arch, n.wts); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// images loads MNIST, cuts the split and draws the fakes.
func (s *subsetGANSettings) images(m *ganModels, env Env) (*ganData, error) {
	train, trainLabels, err := data.LoadMNIST("train")
	if err != nil {
		return nil, err
	}
	test, testLabels, err := data.LoadMNIST("test")
	if err != nil {
		return nil, err
	}
	sp := s.Split
	split, err := fake.NewSplit(train.Len(), test.Len(), fake.SplitOptions{Seed: sp.Seed, Train: sp.Train,
		Background: sp.Background, Clean: sp.Clean, Eval: sp.Eval})
	if err != nil {
		return nil, err
	}
	d := &ganData{real: split.Gather(train, test, trainLabels, testLabels)}
	sources, err := fake.StrokeSources(d.real, train, trainLabels)
	if err != nil {
		return nil, err
	}
	// The edits are clipped to [0, 1], the range of an image file, as the
	// detectors' training pools are (fake.Clipped); the edit function keeps
	// its last input and how much clipping will remove: after the held-out
	// draw, those of the held-out AE fakes.
	var lastSources *data.Array
	var lastClipped float64
	edit := func(x *data.Array, target []int, workers int) (*data.Array, error) {
		y, err := gan.Edit(m.aeG, x, target, workers)
		if err != nil {
			return nil, err
		}
		lastSources, lastClipped = x, clipped(y)
		return y, nil
	}
	ae := fake.Editor(setAE, gan.Domains, fake.Clipped(edit), sources)
	ts := fake.GAN(setTS, m.tsG)
	if d.pool, err = fake.Pool([]fake.Generator{ts, ae}, fake.Training, sp.Seed, s.Fakes.Pool, env.Workers); err != nil {
		return nil, err
	}
	held, err := fake.HeldOutSets([]fake.Generator{ts, ae}, sp.Seed, s.Fakes.HeldOut, env.Workers)
	if err != nil {
		return nil, err
	}
	d.ts, d.ae = held[0].Images, held[1].Images
	n := s.Fakes.HeldOut
	if d.mixed, err = data.Concat(d.ts.Slice(0, (n+1)/2), d.ae.Slice(0, n/2)); err != nil {
		return nil, err
	}
	d.aeSources, d.aeClipped = lastSources, lastClipped
	return d, nil
}

// clipped returns the mean per value of what clipping x to [0, 1] would
// remove (0 for an empty x).
func clipped(x *data.Array) float64 {
	var sum float64
	for _, v := range x.Data {
		switch {
		case v < 0:
			sum -= float64(v)
		case v > 1:
			sum += float64(v - 1)
		}
	}
	if len(x.Data) == 0 {
		return 0
	}
	return sum / float64(len(x.Data))
}
