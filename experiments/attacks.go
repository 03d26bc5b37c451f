package experiments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"subsetscan/attack"
	"subsetscan/data"
	"subsetscan/nn"
)

// attackCodeVersion changes whenever the attacks' output would, so that
// cached sets are regenerated.
const attackCodeVersion = "attack-v2"

// generateSet runs the attack of s against the classifier on the images of
// dataset.attack_source, keeps the successful ones when asked, and saves
// the set as <dir>/sets/<name>.npy with the source indices (into the split)
// in <name>_indices.npy. A set saved by an earlier run with the same key —
// a hash of everything it depends on — is reused. It returns the images
// and their source indices.
func generateSet(ctx context.Context, cfg *Config, s Set, images *data.Array, labels []int, env Env) (*data.Array, []int, error) {
	r, rangeKey := cfg.Dataset.AttackSource, "dataset.attack_source"
	if s.Source != nil {
		r, rangeKey = *s.Source, "sets."+s.Name+".source"
	}
	if r[1] > images.Len() {
		return nil, nil, fmt.Errorf("%s: range %v exceeds the %d images of the split", rangeKey, r, images.Len())
	}
	weights, err := os.ReadFile(cfg.Classifier.Weights)
	if err != nil {
		return nil, nil, err
	}
	wsum := sha256.Sum256(weights)
	spec, _ := json.Marshal(struct {
		Version, Dataset, Split, Arch, Weights, Keep string
		Source                                       [2]int
		Attack                                       *AttackSpec
		Seed                                         uint64 // HopSkipJump's random numbers
	}{attackCodeVersion, cfg.Dataset.Name, cfg.Dataset.Split, cfg.Classifier.Arch, hex.EncodeToString(wsum[:]), s.Keep, r, s.Attack, cfg.Seed})
	ksum := sha256.Sum256(spec)
	key := hex.EncodeToString(ksum[:])
	dir := filepath.Join(env.Dir, "sets")
	npy := filepath.Join(dir, s.Name+".npy")
	keyFile := filepath.Join(dir, s.Name+".key")
	if env.Dir != "" {
		if k, err := os.ReadFile(keyFile); err == nil && bytes.Equal(bytes.TrimSpace(k), []byte(key)) {
			a, err := data.ReadNPY(npy)
			var idx []int
			if err == nil {
				idx, err = data.ReadNPYInts(filepath.Join(dir, s.Name+"_indices.npy"))
			}
			if err == nil && len(idx) == a.Len() && a.RowSize() == images.RowSize() && indicesIn(idx, r) {
				env.logf("set %s: reusing %s (%d images)", s.Name, npy, a.Len())
				a.Shape = append([]int{a.Len()}, images.Shape[1:]...)
				return a, idx, nil
			}
		}
	}
	arch, err := nn.ArchByName(cfg.Classifier.Arch)
	if err != nil {
		return nil, nil, err
	}
	clf, err := nn.Load(arch, cfg.Classifier.Weights)
	if err != nil {
		return nil, nil, err
	}
	x := images.Slice(r[0], r[1])
	y := labels[r[0]:r[1]]
	t0 := time.Now()
	var adv *data.Array
	switch a := s.Attack; a.Method {
	case "fgsm":
		adv, err = attack.FGSM{Eps: a.Eps, Clip: a.Clip, Workers: env.Workers}.Generate(ctx, clf, x, nil)
	case "bim":
		adv, err = attack.BIM{Eps: a.Eps, EpsStep: a.EpsStep, MaxIter: a.MaxIter, Clip: a.Clip, Workers: env.Workers,
			Progress: func(step, active int) {
				if step%50 == 0 {
					env.logf("set %s: BIM step %d, %d images still changing", s.Name, step, active)
				}
			},
		}.Generate(ctx, clf, x, nil)
	case "deepfool":
		adv, err = attack.DeepFool{MaxIter: a.MaxIter, Epsilon: a.Overshoot, Clip: a.Clip, Workers: env.Workers,
			Progress: func(step, active int) {
				if step <= 3 || step%25 == 0 {
					env.logf("set %s: DeepFool step %d, %d images still attacked", s.Name, step, active)
				}
			},
		}.Generate(ctx, clf, x)
	case "hopskipjump":
		adv, err = attack.HopSkipJump{MaxIter: a.MaxIter, MaxEval: a.MaxEval, InitEval: a.InitEval, InitSize: a.InitSize,
			Clip: a.Clip, Seed: cfg.Seed, Workers: env.Workers,
			Progress: func(done, active int) {
				if done%100 == 0 || active == 0 {
					env.logf("set %s: HopSkipJump %d images done, %d to go", s.Name, done, active)
				}
			},
		}.Generate(ctx, clf, x, nil)
	default:
		err = fmt.Errorf("unknown attack %q", a.Method)
	}
	if err != nil {
		return nil, nil, err
	}
	idx := make([]int, x.Len())
	for i := range idx {
		idx[i] = i
	}
	if s.Keep != "all" {
		if adv, idx, err = attack.KeepSuccessful(clf, adv, y, env.Workers); err != nil {
			return nil, nil, err
		}
	}
	if adv.Len() == 0 {
		return nil, nil, fmt.Errorf("the attack succeeded on none of the %d images", x.Len())
	}
	for i := range idx {
		idx[i] += r[0]
	}
	env.logf("set %s: %s kept %d of %d images (%.1f s)", s.Name, s.Attack.Method, adv.Len(), x.Len(), time.Since(t0).Seconds())
	if env.Dir != "" {
		// The key goes first: files written by an interrupted run never
		// pass for those of an earlier key.
		if err := os.Remove(keyFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, err
		}
		if err := data.WriteNPY(npy, adv); err != nil {
			return nil, nil, err
		}
		if err := data.WriteNPYInts(filepath.Join(dir, s.Name+"_indices.npy"), idx); err != nil {
			return nil, nil, err
		}
		if err := data.WriteFileAtomic(keyFile, func(w io.Writer) error {
			_, err := fmt.Fprintln(w, key)
			return err
		}); err != nil {
			return nil, nil, err
		}
	}
	return adv, idx, nil
}

// indicesIn reports whether every index lies in the range [r[0], r[1]).
func indicesIn(idx []int, r [2]int) bool {
	for _, i := range idx {
		if i < r[0] || i >= r[1] {
			return false
		}
	}
	return true
}
