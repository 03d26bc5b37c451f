package report

import (
	"math"
	"testing"

	"gonum.org/v1/plot"
)

// TestProportionAxis checks the x axis of the group figure: its scale,
// range (6% margins in axis coordinates) and ticks.
func TestProportionAxis(t *testing.T) {
	tests := []struct {
		props    []float64
		log      bool
		min, max float64 // in axis coordinates
		ticks    []string
	}{
		{[]float64{0.01, 0.05, 0.1, 0.2, 0.5}, true, -2 - 0.06*math.Log10(50), math.Log10(0.5) + 0.06*math.Log10(50),
			[]string{"1%", "5%", "10%", "20%", "50%"}},
		// A zero proportion or a ratio under 5: linear.
		{[]float64{0, 0.1, 0.5}, false, -0.03, 0.53, []string{"0%", "10%", "50%"}},
		{[]float64{0.2, 0.5}, false, 0.182, 0.518, []string{"20%", "50%"}},
		{[]float64{0.1}, false, 0.05, 0.15, []string{"10%"}},
		// More than 8 proportions: 1, 2, 5 × 10^k on a log scale.
		{[]float64{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5}, true, -3 - 0.06*math.Log10(500), math.Log10(0.5) + 0.06*math.Log10(500),
			[]string{"0.1%", "0.2%", "0.5%", "1%", "2%", "5%", "10%", "20%", "50%"}},
	}
	for _, tc := range tests {
		s := newProportionScale(tc.props)
		var a plot.Axis
		s.setAxis(&a, tc.props)
		if s.log != tc.log || math.Abs(a.Min-tc.min) > 1e-12 || math.Abs(a.Max-tc.max) > 1e-12 {
			t.Errorf("%v: log %v, range [%v, %v]; want %v, [%v, %v]", tc.props, s.log, a.Min, a.Max, tc.log, tc.min, tc.max)
		}
		var labels []string
		for _, tk := range a.Tick.Marker.Ticks(a.Min, a.Max) {
			if !tk.IsMinor() {
				labels = append(labels, tk.Label)
			}
		}
		if len(labels) != len(tc.ticks) {
			t.Errorf("%v: ticks %q, want %q", tc.props, labels, tc.ticks)
			continue
		}
		for i := range labels {
			if labels[i] != tc.ticks[i] {
				t.Errorf("%v: ticks %q, want %q", tc.props, labels, tc.ticks)
				break
			}
		}
	}
	// Each proportion's tick sits where its points are drawn.
	props := []float64{0.01, 0.05, 0.5}
	s := newProportionScale(props)
	var a plot.Axis
	s.setAxis(&a, props)
	for i, tk := range a.Tick.Marker.Ticks(a.Min, a.Max) {
		if tk.Value != s.X(props[i]) {
			t.Errorf("tick %d at %v, want %v", i, tk.Value, s.X(props[i]))
		}
	}
}
