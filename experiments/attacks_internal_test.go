package experiments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/configs"
	"subsetscan/data"
	"subsetscan/internal/refdata"
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
			got, err := setKey(cfg, s, r)
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
