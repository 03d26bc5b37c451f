package experiments

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"subsetscan/configs"
	"subsetscan/data"
	"subsetscan/internal/refdata"
	"subsetscan/nn"
)

// TestGenerateSetRange checks that an attack's source range beyond the split
// is an error naming the key it came from, before any work.
func TestGenerateSetRange(t *testing.T) {
	images := data.NewArray(10, 28, 28, 1)
	labels := make([]int, 10)
	cfg := &Config{}
	sets := &ImageSets{AttackSource: &[2]int{0, 20}}
	for _, tc := range []struct {
		name string
		set  Set
		want string
	}{
		{"section range", Set{Name: "a", Attack: &AttackSpec{Method: "fgsm", Eps: 0.1}}, "autoencoder-adversarial.attack_source: range [0 20] exceeds the 10 images"},
		{"set range", Set{Name: "hsj", Attack: &AttackSpec{Method: "hopskipjump"}, Source: &[2]int{5, 11}}, "autoencoder-adversarial.sets[1].source: range [5 11] exceeds the 10 images"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, key := sets.source(tc.set, 1, "autoencoder-adversarial")
			_, _, err := generateSet(t.Context(), cfg, tc.set, r, key, images, labels, Env{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestSetKeysOfShippedConfigs checks that the keys of the sets generated
// by the shipped configs equal those of the sets committed under
// results/<name>/sets, so that a fresh clone reuses them (generating them
// takes minutes): the hashed struct and AttackSpec's JSON must not change.
func TestSetKeysOfShippedConfigs(t *testing.T) {
	models, err := configs.ExtractModels(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	vars := Vars{Models: models}
	names := []string{"ae-mnist"}
	if dir, ok := refdata.Dir(); ok {
		vars.Artifacts = dir
		names = append(names, "ae-mnist-authors")
	} else {
		t.Logf("no reference directory %s: checking ae-mnist only", dir)
	}
	images, labels, err := data.LoadMNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		raw, ok := configs.Read(name)
		if !ok {
			t.Fatalf("no shipped config %s", name)
		}
		cfg, err := ParseConfig(raw, "", vars)
		if err != nil {
			t.Fatal(err)
		}
		sets := cfg.Settings.(*adversarialSettings).ImageSets
		n := 0
		for i, s := range sets.Sets {
			if s.Attack == nil {
				continue
			}
			r, _ := sets.source(s, i, cfg.Kind)
			got, err := setKey(cfg, s, r, images, labels)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(refdata.Root(), "results", name, "sets", s.Name+".key"))
			if err != nil {
				t.Fatal(err)
			}
			if got != strings.TrimSpace(string(want)) {
				t.Errorf("%s: set %s: key %s, committed %s", name, s.Name, got, want)
			}
			n++
		}
		if n == 0 {
			t.Errorf("%s: no generated set", name)
		}
	}
}

// ownClassifier returns the project's committed classifier (configs/models)
// and a config naming it, and the MNIST test images 8500-8506 with their
// labels.
func ownClassifier(t *testing.T) (*Config, *nn.Model, *data.Array, []int) {
	t.Helper()
	models, err := configs.ExtractModels(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Seed: 3, Dataset: Dataset{Name: "mnist", Split: "test"},
		Classifier: &ModelRef{Arch: "classifier", Weights: filepath.Join(models, "classifier.npz")}}
	clf, err := nn.Load(nn.ClassifierArch, cfg.Classifier.Weights)
	if err != nil {
		t.Fatal(err)
	}
	images, labels, err := data.LoadMNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	return cfg, clf, images.Slice(8500, 8507), labels[8500:8507]
}

// TestSetKeyIDXData checks that the key of a set generated from an idx
// data set (files from a directory) depends on the images and labels the
// attack starts from, and only on them: another directory with the same
// content shares the key, a pixel or a label changed gives another; the
// key of an mnist set does not depend on them (the committed keys,
// TestSetKeysOfShippedConfigs).
func TestSetKeyIDXData(t *testing.T) {
	cfg, _, x, labels := ownClassifier(t)
	s := smallAttacks[0]
	r := [2]int{1, 5}
	key := func(name string, x *data.Array, labels []int) string {
		c := *cfg
		c.Dataset.Name = name
		k, err := setKey(&c, s, r, x, labels)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	pixel := x.Slice(0, x.Len())
	pixel.Data = slices.Clone(x.Data)
	pixel.Row(2)[100] += 0.5
	label := slices.Clone(labels)
	label[4] = (label[4] + 1) % 10
	outside := slices.Clone(labels)
	outside[0]++ // image 0 is not in the range
	base := key("idx", x, labels)
	for _, tc := range []struct {
		name, dataset string
		x             *data.Array
		labels        []int
		same          bool
	}{
		{"same content", "idx", &data.Array{Shape: slices.Clone(x.Shape), Data: slices.Clone(x.Data)}, slices.Clone(labels), true},
		{"a pixel changed", "idx", pixel, labels, false},
		{"a label changed", "idx", x, label, false},
		{"outside the range", "idx", x, outside, true},
		{"mnist", "mnist", x, labels, false},
	} {
		if got := key(tc.dataset, tc.x, tc.labels); (got == base) != tc.same {
			t.Errorf("%s: key %s, base %s: same %v, want %v", tc.name, got, base, got == base, tc.same)
		}
	}
	if key("mnist", x, labels) != key("mnist", pixel, label) {
		t.Error("the key of an mnist set depends on the images")
	}
}

// smallAttacks are one cheap set of each attack method.
var smallAttacks = []Set{
	{Name: "fgsm", Attack: &AttackSpec{Method: "fgsm", Eps: 0.1}, Keep: "all"},
	{Name: "bim", Attack: &AttackSpec{Method: "bim", Eps: 0.1, EpsStep: 0.02, MaxIter: 10}, Keep: "all"},
	{Name: "deepfool", Attack: &AttackSpec{Method: "deepfool", MaxIter: 5}, Keep: "all"},
	{Name: "hsj", Attack: &AttackSpec{Method: "hopskipjump", MaxIter: 2, MaxEval: 20, InitEval: 5, InitSize: 10}, Keep: "all"},
}

// TestAttackBatchesEqualOneAttack checks that attacking a set in batches
// of 3 images gives, byte for byte, the images of one attack on the set:
// what makes a resumed set equal to an uninterrupted one.
func TestAttackBatchesEqualOneAttack(t *testing.T) {
	cfg, clf, x, _ := ownClassifier(t)
	defer func(n int) { attackBatch = n }(attackBatch)
	attackBatch = 3
	for _, s := range smallAttacks {
		t.Run(s.Name, func(t *testing.T) {
			whole, err := attackImages(t.Context(), cfg, s, s.Attack.Clip, 0, clf, x, Env{})
			if err != nil {
				t.Fatal(err)
			}
			batched, err := attackBatches(t.Context(), cfg, s, clf, x, Env{}, checkpoints{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(float32Bytes(whole), float32Bytes(batched)) {
				t.Error("the batched attack differs from the attack of the whole set")
			}
		})
	}
}

// float32Bytes returns the bits of a's pixels.
func float32Bytes(a *data.Array) []byte {
	b := make([]byte, 0, 4*len(a.Data))
	for _, v := range a.Data {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// TestGenerateSetResumes interrupts the generation of a set after its
// first batch, then generates it again: the second run attacks only the
// batches not checkpointed, and the set is byte for byte that of an
// uninterrupted run; the checkpoints are gone once the set is saved.
func TestGenerateSetResumes(t *testing.T) {
	cfg, _, x, labels := ownClassifier(t)
	defer func(n int) { attackBatch = n }(attackBatch)
	attackBatch = 3
	s := smallAttacks[3]
	r := [2]int{0, x.Len()}
	want, _, err := generateSet(t.Context(), cfg, s, r, "k", x, labels, Env{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	stop := Env{Dir: dir, Hold: func(_ context.Context, point string) {
		if point == "set hsj batch 1" {
			cancel()
		}
	}}
	if _, _, err := generateSet(ctx, cfg, s, r, "k", x, labels, stop); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: got %v, want context.Canceled", err)
	}
	var log []string
	again := Env{Dir: dir, Progress: func(format string, args ...any) { log = append(log, format) }}
	got, _, err := generateSet(t.Context(), cfg, s, r, "k", x, labels, again)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(log, "\n"), "reusing the checkpoint") {
		t.Errorf("the second run reused no checkpoint: %q", log)
	}
	if !bytes.Equal(float32Bytes(want), float32Bytes(got)) {
		t.Error("the resumed set differs from the uninterrupted one")
	}
	files := setFiles{dir: filepath.Join(dir, "sets"), name: s.Name}
	if _, err := os.Stat(files.checkpoints()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checkpoints left after the set was saved: %v", err)
	}
}
