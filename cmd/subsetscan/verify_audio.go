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
