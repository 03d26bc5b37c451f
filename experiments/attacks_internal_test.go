package experiments

import (
	"strings"
	"testing"

	"subsetscan/data"
)

// TestGenerateSetRange checks that an attack's source range beyond the split
// is an error naming the key it came from, before any work.
func TestGenerateSetRange(t *testing.T) {
	images := data.NewArray(10, 28, 28, 1)
	labels := make([]int, 10)
	cfg := &Config{Dataset: Dataset{AttackSource: [2]int{0, 20}}}
	for _, tc := range []struct {
		name string
		set  Set
		want string
	}{
		{"dataset range", Set{Name: "a", Attack: &AttackSpec{Method: "fgsm", Eps: 0.1}}, "dataset.attack_source: range [0 20] exceeds the 10 images"},
		{"set range", Set{Name: "hsj", Attack: &AttackSpec{Method: "hopskipjump"}, Source: &[2]int{5, 11}}, "sets.hsj.source: range [5 11] exceeds the 10 images"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := generateSet(t.Context(), cfg, tc.set, images, labels, Env{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
