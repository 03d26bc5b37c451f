package report_test

import (
	"fmt"
	"os"

	"subsetscan/report"
)

// The comparison table of a SubsetGAN study: each row beside its
// published value, Δ flagged beyond the set's tolerance; verify counts
// the rows with a published value.
func ExampleResults_GANTable() {
	pub := 0.95
	r := &report.Results{Sets: []string{"TS"}, Tolerances: map[string]report.Tolerance{"TS": {Value: 0.05}},
		SubsetGAN: &report.SubsetGAN{Rows: []report.GANRow{
			{Key: "subsetgan-individual", Set: "TS", Method: "SubsetGAN", Generation: "TS (individual)", PaperNetwork: "D(x) from PGGAN",
				Network: "gan_d, conv2d_1", AUC: 0.996, CI: [2]float64{0.994, 0.999}, Published: &pub},
			{Set: "TS", Method: "fake-resnet", Generation: "TS", Network: "fake-resnet", AUC: 0.8, CI: [2]float64{0.7, 0.9}},
		}}}
	if err := report.WriteMarkdownTable(os.Stdout, r.GANTable()); err != nil {
		fmt.Println(err)
	}
	fmt.Println("compared:", r.Compared(), "deviations:", len(r.Deviations()))
	// Output:
	// | method      | generation type | network (paper) | AUC (paper) | network here    | AUC here             | Δ      |
	// |:------------|:----------------|:----------------|:------------|:----------------|:---------------------|:-------|
	// | SubsetGAN   | TS (individual) | D(x) from PGGAN | 0.950       | gan_d, conv2d_1 | 0.996 [0.994, 0.999] | +0.046 |
	// | fake-resnet | TS              | –               | –           | fake-resnet     | 0.800 [0.700, 0.900] | –      |
	// compared: 1 deviations: 0
}
