package fsdd_test

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"subsetscan/data/fsdd"
)

// This example builds spoken digit strings from recordings held in memory
// (two speakers, ten digits, six takes, each a short tone), as it would from
// fsdd.Load(dir, 0) on the data set: pools first, then clean utterances of
// one pool, then their noisy copies.
func Example() {
	c := &fsdd.Corpus{}
	for _, speaker := range []string{"ann", "bob"} {
		for d := range fsdd.Digits {
			for take := range 6 {
				x := make([]float32, 800) // 0.1 s
				for i := range x {
					x[i] = float32(0.5 * math.Sin(2*math.Pi*float64(200+50*d)*float64(i)/fsdd.SampleRate))
				}
				c.Recordings = append(c.Recordings, fsdd.Recording{Digit: d, Speaker: speaker, Take: take})
				c.Samples = append(c.Samples, x)
			}
		}
	}
	const seed = 1
	pools, err := fsdd.Split(c.Recordings, []fsdd.PoolSize{{"training", fsdd.Rest}, {"background", 40}, {"clean", 20}},
		rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range pools {
		fmt.Printf("%s: %d recordings\n", p.Name, len(p.Index))
	}
	clean, err := c.Strings(pools[1].Index, 3, fsdd.DefaultStrings, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		log.Fatal(err)
	}
	noisy, err := fsdd.AddNoise(clean, 10, 30, rand.New(rand.NewPCG(seed, 2)))
	if err != nil {
		log.Fatal(err)
	}
	for i, u := range noisy {
		fmt.Printf("%s: %q, %.2f s, SNR %v dB clean, %.1f dB noisy\n",
			u.Speaker, u.Transcript, float64(len(u.Samples))/fsdd.SampleRate, clean[i].SNR, u.SNR)
	}
	// Output:
	// training: 60 recordings
	// background: 40 recordings
	// clean: 20 recordings
	// ann: "four seven five eight six", 0.89 s, SNR +Inf dB clean, 23.5 dB noisy
	// ann: "zero three nine four", 0.63 s, SNR +Inf dB clean, 28.2 dB noisy
	// ann: "six five two one", 0.63 s, SNR +Inf dB clean, 25.4 dB noisy
}
