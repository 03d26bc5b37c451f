package main

import (
	"fmt"
	"io"

	"subsetscan/report"
)

// printAudioVerify prints what verify can check of an audio study's
// results (report.Audio.Check: every cell exists, the counts agree) and
// returns the number of problems. The published values are those of
// other models and data sets, printed beside this project's in the
// report, not compared.
func printAudioVerify(w io.Writer, r *report.Results) int {
	cells, problems := r.Audio.Check()
	for _, p := range problems {
		fmt.Fprintf(w, "%s: %s\n", r.Experiment, p)
	}
	fmt.Fprintf(w, "%s: %d cells of %d row groups checked (every cell exists, counts agree): %d problems; "+
		"the published values are other models' on other data, shown beside these in the report, not compared\n",
		r.Experiment, cells, len(r.Audio.Rows), len(problems))
	return len(problems)
}

// printSubsetGANVerify prints what verify can check of the SubsetGAN
// analog's results (report.SubsetGAN.Check: every table row, scanned layer
// and group point exists with a valid AUC, counts agree) and returns the
// number of problems. Its networks and images are not the paper's: the
// rows beyond the tolerance are counted, for information, not as
// failures.
func printSubsetGANVerify(w io.Writer, r *report.Results) int {
	cells, problems := r.SubsetGAN.Check(r.Samples, r.Group)
	for _, p := range problems {
		fmt.Fprintf(w, "%s: %s\n", r.Experiment, p)
	}
	fmt.Fprintf(w, "%s: %d cells checked (every table row, scanned layer and group point exists, counts agree): %d problems; "+
		"%d of %d published rows differ by more than the tolerance, shown beside these in the report, not compared: "+
		"the paper's networks and images are not these\n",
		r.Experiment, cells, len(problems), len(r.Deviations()), r.Compared())
	return len(problems)
}
