package attack_test

import (
	"fmt"
	"math"

	"subsetscan/attack"
)

// Quantize16 rounds a waveform to the 16-bit samples a WAV file holds;
// DBx measures a perturbation's loudness relative to the utterance.
func ExampleQuantize16() {
	x := []float32{0.5, -0.25, 0.125}
	q := attack.Quantize16([]float32{0.5 + 0.4/32768, -0.25, 0.125 + 0.6/32768})
	fmt.Println(q)
	fmt.Printf("%.1f dB_x\n", attack.DBx(x, attack.Dequantize16(q)))
	// Output:
	// [16384 -8192 4097]
	// -84.3 dB_x
}

// A loud 1 kHz tone masks the bins around it far above the threshold of
// hearing.
func ExamplePsychoacoustic_Threshold() {
	p := attack.NewPsychoacoustic(8000)
	x := make([]float32, 8000)
	for i := range x {
		x[i] = float32(0.5 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	m, err := p.Threshold(x)
	if err != nil {
		fmt.Println(err)
		return
	}
	k := 1000 * p.Window / p.Rate // the bin of 1 kHz
	fmt.Printf("%d frames of %d bins; θ at 1 kHz %.0f dB SPL, hearing threshold %.0f dB SPL\n",
		m.Frames(), p.Bins(), m.Theta(m.Frames() / 2)[k], attack.HearingThreshold(1000))
	// Output:
	// 29 frames of 513 bins; θ at 1 kHz 89 dB SPL, hearing threshold -9 dB SPL
}
