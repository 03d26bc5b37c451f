package experiments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"subsetscan/data"
	"subsetscan/nn"
)

// trainCodeVersion changes whenever training with the same settings would
// give other weights (nn's arithmetic, initialisation or shuffling), so
// that cached models are retrained.
const trainCodeVersion = "train-v1"

// TrainModels materialises the models of cfg that have train settings
// instead of weights: each is trained on the first train.images images of
// the data set's training split (MNIST's, or the idx directory's
// train-images/train-labels files) with its architecture's recipe
// (nn.RecipeFor: Adadelta and binary cross-entropy for the autoencoder,
// Adam and categorical cross-entropy on one-hot labels for the
// classifier), Glorot-initialised and shuffled with train.seed, and saved
// as env.Dir/models/<model|classifier>.npz with a .key file, the SHA-256
// of everything the weights depend on (code version, architecture,
// recipe, epochs, batch, seed and the training images and labels
// themselves). A later run whose key matches reuses the file without
// training.
//
// It returns a copy of cfg (cfg itself is not modified) whose Weights name
// those files and whose train.images holds the number of images used, and
// one note per trained model for the report. A config without train
// settings is returned as it is. Training needs a results directory
// (env.Dir); train.images beyond the size of the training split is an
// error naming the key and the config file.
func TrainModels(ctx context.Context, cfg *Config, env Env) (*Config, []string, error) {
	if !cfg.trains() {
		return cfg, nil, nil
	}
	where := "config"
	if cfg.Path != "" {
		where += " " + cfg.Path
	}
	if env.Dir == "" {
		return nil, nil, fmt.Errorf("%s: training a model (model.train or classifier.train) needs a results directory", where)
	}
	x, labels, err := loadSplit(cfg, "train")
	if err != nil {
		return nil, nil, err
	}
	c := *cfg
	var notes []string
	for _, role := range []string{"model", "classifier"} {
		var ref *ModelRef
		if role == "model" {
			ref = &c.Model
		} else {
			ref = c.Classifier
		}
		if ref == nil || ref.Train == nil {
			continue
		}
		m := *ref
		t := *m.Train
		n := x.Len()
		if t.Images != nil {
			if *t.Images > n {
				return nil, nil, fmt.Errorf("%s: %s.train.images: %d exceeds the %d images of the %s training split", where, role, *t.Images, n, cfg.Dataset.Name)
			}
			n = *t.Images
		}
		t.Images = &n
		m.Train = &t
		path, note, err := trainModel(ctx, role, m, x.Slice(0, n), labels[:n], cfg.Dataset.Name, env)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.train: %w", role, err)
		}
		m.Weights = path
		notes = append(notes, note)
		if role == "model" {
			c.Model = m
		} else {
			c.Classifier = &m
		}
	}
	return &c, notes, nil
}

// loadSplit loads a split of the config's data set.
func loadSplit(cfg *Config, split string) (*data.Array, []int, error) {
	if cfg.Dataset.Name == "idx" {
		images, labels, err := data.LoadIDXSet(cfg.Dataset.Dir, split)
		if err != nil {
			names, _ := data.IDXFiles(split)
			return nil, nil, fmt.Errorf("dataset: %w (supply %s and %s, optionally gzipped, in the directory given by -data)", err, names[0], names[1])
		}
		return images, labels, nil
	}
	return data.LoadMNIST(split)
}

// trainModel trains (or reuses) the model m of the given role on the
// images x with their labels and returns the weights file and a note for
// the report.
func trainModel(ctx context.Context, role string, m ModelRef, x *data.Array, labels []int, dataset string, env Env) (string, string, error) {
	arch, err := nn.ArchByName(m.Arch)
	if err != nil {
		return "", "", err
	}
	recipe, err := nn.RecipeFor(m.Arch)
	if err != nil {
		return "", "", err
	}
	t := m.Train
	opt := recipe.NewOptimizer()
	spec, err := json.Marshal(struct {
		Version, Recipe, Data string
		Arch                  nn.Arch
		Epochs, Batch, Images int
		Seed                  uint64
	}{trainCodeVersion, fmt.Sprintf("%v %+v", recipe.Loss, opt), dataHash(x, labels), arch, t.Epochs, t.Batch, x.Len(), *t.Seed})
	if err != nil {
		return "", "", err
	}
	ksum := sha256.Sum256(spec)
	key := hex.EncodeToString(ksum[:])
	dir := filepath.Join(env.Dir, "models")
	npz := filepath.Join(dir, role+".npz")
	keyFile := filepath.Join(dir, role+".key")
	note := fmt.Sprintf("The %s (%s) was trained here, not read from a weights file: %v with %s, epochs %d, batch %d, seed %d, "+
		"on the first %d images of the %s training split; weights in %s.",
		role, m.Arch, recipe.Loss, strings.TrimPrefix(fmt.Sprintf("%T", opt), "*nn."), t.Epochs, t.Batch, *t.Seed, x.Len(), dataset,
		filepath.Join("models", role+".npz"))
	if keyMatches(keyFile, key) {
		if _, err := nn.Load(arch, npz); err == nil {
			env.logf("%s: reusing %s (trained earlier with the same settings and data)", role, npz)
			return npz, note, nil
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	if err := removeKey(keyFile); err != nil {
		return "", "", err
	}
	start := time.Now()
	model, err := fit(ctx, role, m, arch, recipe, opt, x, labels, dataset, env)
	if err != nil {
		return "", "", err
	}
	if err := model.SaveWeights(npz); err != nil {
		return "", "", err
	}
	if err := writeKey(keyFile, key); err != nil {
		return "", "", err
	}
	env.logf("%s: trained in %.1f s, weights written to %s", role, time.Since(start).Seconds(), npz)
	return npz, note, nil
}

// fit returns the model of architecture arch trained with recipe and the
// optimiser opt by m's train settings on the images x with their labels,
// logging the loss of every epoch (and of every tenth of a long one).
func fit(ctx context.Context, role string, m ModelRef, arch nn.Arch, recipe nn.Recipe, opt nn.Optimizer,
	x *data.Array, labels []int, dataset string, env Env) (*nn.Model, error) {
	t := m.Train
	model, err := nn.New(arch)
	if err != nil {
		return nil, err
	}
	model.InitGlorot(*t.Seed)
	y, err := recipe.Targets(x, labels)
	if err != nil {
		return nil, fmt.Errorf("%s training labels: %w", dataset, err)
	}
	env.logf("%s: training %s on %d images of the %s training split: %v, %d epochs of batch %d, seed %d",
		role, m.Arch, x.Len(), dataset, recipe.Loss, t.Epochs, t.Batch, *t.Seed)
	epochStart := time.Now()
	_, err = model.Train(ctx, x, y, nn.TrainOptions{Loss: recipe.Loss, Optimizer: opt, Epochs: t.Epochs, BatchSize: t.Batch,
		Seed: *t.Seed, Workers: env.Workers,
		Progress: func(p nn.Progress) {
			if p.EpochDone {
				env.logf("%s: epoch %d/%d: loss %.6f (%.1f s)", role, p.Epoch, p.Epochs, p.Loss, time.Since(epochStart).Seconds())
				epochStart = time.Now()
				return
			}
			// Long epochs also report every tenth.
			if every := p.Batches / 10; p.Batches >= 100 && p.Batch%every == 0 && p.Batch < p.Batches {
				env.logf("%s: epoch %d/%d: batch %d/%d, loss %.6f", role, p.Epoch, p.Epochs, p.Batch, p.Batches, p.Loss)
			}
		},
	})
	return model, err
}

// keyMatches reports whether the key file at path holds key.
func keyMatches(path, key string) bool {
	k, err := os.ReadFile(path)
	return err == nil && bytes.Equal(bytes.TrimSpace(k), []byte(key))
}

// removeKey removes the key file at path, if any: before the files it
// describes are written, so that files written by an interrupted run
// never pass for those of an earlier key.
func removeKey(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// writeKey writes key to the key file at path, atomically, once the files
// it describes are written.
func writeKey(path, key string) error {
	return data.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, key)
		return err
	})
}

// dataHash returns the SHA-256 of the images (their float32 bits, little
// endian, row by row) and labels (int64, little endian).
func dataHash(x *data.Array, labels []int) string {
	h := sha256.New()
	buf := make([]byte, 0, 4*x.RowSize())
	for i := range x.Len() {
		buf = buf[:0]
		for _, v := range x.Row(i) {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
		h.Write(buf)
	}
	buf = buf[:0]
	for _, l := range labels {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(int64(l)))
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}
