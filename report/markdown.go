package report

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Table is a plain table of strings.
type Table struct {
	Header []string
	Rows   [][]string
}

// WriteMarkdownTable writes t as a GitHub Markdown table. Headers are
// written as given (tablewriter v1 would otherwise upper-case them).
func WriteMarkdownTable(w io.Writer, t Table) error {
	tbl := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	tbl.Header(anySlice(t.Header)...)
	for _, r := range t.Rows {
		if err := tbl.Append(anySlice(r)...); err != nil {
			return err
		}
	}
	return tbl.Render()
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func f3(x float64) string { return fmt.Sprintf("%.3f", x) }

// AUCTable is the per-layer AUC table in the paper's shape: layers as rows;
// for each set the reproduced AUC, the AUC of the baseline statistic when
// there is one, the published AUC and their difference Δ (headed with the
// set's tolerance), flagged with ⚠ when |Δ| exceeds the tolerance, or † when
// that deviation is known and explained.
func (r *Results) AUCTable() Table {
	t := Table{Header: []string{"layer", "nodes"}}
	published, baseline := map[string]bool{}, map[string]bool{}
	for _, l := range r.Layers {
		for s := range l.Published {
			published[s] = true
		}
		for s := range l.Baseline {
			baseline[s] = true
		}
	}
	for _, s := range r.Sets {
		t.Header = append(t.Header, s)
		if baseline[s] {
			t.Header = append(t.Header, s+" baseline")
		}
		if published[s] {
			delta := "Δ"
			if tol, ok := r.Tolerances[s]; ok {
				delta = fmt.Sprintf("Δ (±%g)", tol.Value)
			}
			t.Header = append(t.Header, s+" published", delta)
		}
	}
	for _, l := range r.Layers {
		row := []string{l.Layer, fmt.Sprint(l.Nodes)}
		for _, s := range r.Sets {
			row = append(row, withCI(l.AUC, l.CI, s))
			if baseline[s] {
				row = append(row, withCI(l.Baseline, l.BaselineCI, s))
			}
			if !published[s] {
				continue
			}
			p, ok := l.Published[s]
			auc, okAUC := l.AUC[s]
			if !ok || !okAUC {
				row = append(row, f3or(l.Published, s), "–")
				continue
			}
			d := auc - p
			delta := fmt.Sprintf("%+.3f", d)
			if !(math.Abs(d) <= r.Tolerance(l, s).Value) {
				if l.Known[s] != "" {
					delta += " †"
				} else {
					delta += " ⚠"
				}
			}
			row = append(row, f3(p), delta)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// f3or formats m[key] with three decimals, or "–" when it is absent.
func f3or(m map[string]float64, key string) string {
	if v, ok := m[key]; ok {
		return f3(v)
	}
	return "–"
}

// withCI formats m[key] with three decimals followed by its interval
// ci[key] when there is one, or "–" when m has no key.
func withCI(m map[string]float64, ci map[string][2]float64, key string) string {
	s := f3or(m, key)
	if c, ok := ci[key]; ok {
		s += fmt.Sprintf(" [%.3f, %.3f]", c[0], c[1])
	}
	return s
}

// ToleranceTable lists the tolerances the comparisons with published
// values use and the reason for each: one row per distinct tolerance and
// reason, naming the sets that share it in the order of r.Sets. It has no
// rows for results without per-set tolerances.
func (r *Results) ToleranceTable() Table {
	t := Table{Header: []string{"sets", "tolerance", "reason"}}
	type key struct {
		value  float64
		reason string
	}
	var order []key
	sets := map[key][]string{}
	for _, s := range r.Sets {
		tol, ok := r.Tolerances[s]
		if !ok {
			continue
		}
		k := key{tol.Value, strings.Join(strings.Fields(tol.Reason), " ")}
		if sets[k] == nil {
			order = append(order, k)
		}
		sets[k] = append(sets[k], s)
	}
	for _, k := range order {
		reason := k.reason
		if reason == "" {
			reason = "–"
		}
		t.Rows = append(t.Rows, []string{strings.Join(sets[k], ", "), fmt.Sprintf("%g", k.value), reason})
	}
	return t
}

// Figure is a PNG figure of a report and its caption.
type Figure struct {
	File, Caption string
}

// WriteMarkdown writes the report: provenance, sample counts, the AUC
// table, deviations with their explanations, warnings, figures and, last,
// the timings (the only part that changes between identical runs). Each
// section is written by its own method, in that order, into a buffer that
// reaches w only when every section has succeeded.
func (r *Results) WriteMarkdown(w io.Writer, figures []Figure) error {
	var b bytes.Buffer
	sections := []func(*bytes.Buffer) error{
		r.writeHeader, r.writeSamples, r.writeLayers, func(b *bytes.Buffer) error { return r.writeSubsetGAN(b) }, r.writeGroup, r.writeOODSection, r.writeDeviations,
		r.writeNotes, r.writeWarnings, func(b *bytes.Buffer) error { return writeFigures(b, figures) }, r.writeTimings,
	}
	if r.Audio != nil {
		sections = r.audioSections(figures)
	}
	for _, write := range sections {
		if err := write(&b); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeOODSection writes the out-of-distribution tables, when the results
// have them.
func (r *Results) writeOODSection(b *bytes.Buffer) error {
	if r.OOD == nil {
		return nil
	}
	return r.writeOOD(b)
}

// writeHeader writes the title, the description and the provenance.
func (r *Results) writeHeader(b *bytes.Buffer) error {
	fmt.Fprintf(b, "# %s\n\n", r.Experiment)
	if r.Description != "" {
		fmt.Fprintf(b, "%s\n\n", strings.TrimSpace(r.Description))
	}
	p := r.Provenance
	fmt.Fprintf(b, "Seed %d · config %s · %s · revision %s\n\n", p.Seed, p.ConfigHash, p.GoVersion, p.Revision)
	return nil
}

// writeSamples writes the number of samples of the background, the clean
// set and each anomalous set.
func (r *Results) writeSamples(b *bytes.Buffer) error {
	fmt.Fprintf(b, "## Samples\n\n")
	counts := Table{Header: []string{"set", "samples"}}
	for _, k := range append([]string{"background", "clean"}, r.Sets...) {
		if n, ok := r.Samples[k]; ok {
			counts.Rows = append(counts.Rows, []string{k, fmt.Sprint(n)})
		}
	}
	return WriteMarkdownTable(b, counts)
}

// writeLayers writes the per-layer AUC table and the tolerances, when the
// results have individual-scan layers.
func (r *Results) writeLayers(b *bytes.Buffer) error {
	if len(r.Layers) == 0 {
		return nil
	}
	fmt.Fprintf(b, "\n## Detection power per layer (AUC, clean vs set)\n\n")
	fmt.Fprintf(b, "AUC of the individual-scan subset scores of the clean images against each anomalous set. ")
	if r.Baseline != "" {
		fmt.Fprintf(b, "The baseline columns are the AUC of the %s of each image, without any scan. ", r.Baseline)
	}
	if r.CIMethod != "" {
		fmt.Fprintf(b, "Brackets hold each AUC's confidence interval (%s) over the clean and anomalous samples: "+
			"a published value inside it differs from the reproduced one by no more than sampling noise. ", r.CIMethod)
	}
	fmt.Fprintf(b, "Where a published value exists, Δ is reproduced − published, headed with the set's tolerance; "+
		"⚠ marks |Δ| above the tolerance, † a known deviation explained below.\n\n")
	if err := WriteMarkdownTable(b, r.AUCTable()); err != nil {
		return err
	}
	tt := r.ToleranceTable()
	if len(tt.Rows) == 0 {
		return nil
	}
	fmt.Fprintf(b, "\n### Tolerances\n\nThe largest |reproduced − published| accepted for each set (by `subsetscan verify` too), and why; "+
		"sets that share a tolerance and its reason share a row.\n\n")
	return WriteMarkdownTable(b, tt)
}

// writeDeviations lists the AUCs outside their published tolerance, or
// says that there are none or nothing to compare with.
func (r *Results) writeDeviations(b *bytes.Buffer) error {
	devs := r.Deviations()
	nPublished := r.Compared()
	fmt.Fprintf(b, "\n## Deviations from the published numbers\n\n")
	switch {
	case nPublished == 0:
		fmt.Fprintf(b, "No published values to compare with.\n")
	case len(devs) == 0:
		fmt.Fprintf(b, "Every reproduced AUC is within the tolerance of its published value.\n")
	default:
		fmt.Fprintf(b, "%d reproduced AUCs are outside the tolerance (⚠ unexpected, † known and explained):\n\n", len(devs))
		for _, d := range devs {
			fmt.Fprintf(b, "- %s, %s: %.3f vs %.3f published (Δ %+.3f, tolerance %g)", d.Layer, d.Set, d.Got, d.Published, d.Diff, d.Tolerance)
			if d.Known != "" {
				fmt.Fprintf(b, " †: %s\n", strings.TrimSpace(d.Known))
			} else {
				fmt.Fprintf(b, " ⚠: not explained\n")
			}
		}
	}
	return nil
}

// writeNotes writes the notes, each as a list item.
func (r *Results) writeNotes(b *bytes.Buffer) error {
	if len(r.Notes) > 0 {
		fmt.Fprintf(b, "\nNotes:\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(b, "- %s\n", strings.TrimSpace(n))
		}
	}
	return nil
}

// writeWarnings writes the warnings section, when there are warnings.
func (r *Results) writeWarnings(b *bytes.Buffer) error {
	if len(r.Warnings) > 0 {
		fmt.Fprintf(b, "\n## Warnings\n\n")
		for _, n := range r.Warnings {
			fmt.Fprintf(b, "- %s\n", n)
		}
	}
	return nil
}

// writeFigures lists the figures with their captions.
func writeFigures(b *bytes.Buffer, figures []Figure) error {
	if len(figures) == 0 {
		return nil
	}
	fmt.Fprintf(b, "\n## Figures\n\n")
	for _, f := range figures {
		if f.Caption != "" {
			fmt.Fprintf(b, "%s (`%s`):\n\n", f.Caption, f.File)
		}
		fmt.Fprintf(b, "![%s](%s)\n\n", strings.TrimSuffix(f.File, ".png"), f.File)
	}
	return nil
}

// writeTimings writes the timings in the order of their names: the only
// part of a report that changes between two runs of the same config.
func (r *Results) writeTimings(b *bytes.Buffer) error {
	if len(r.Timings) == 0 {
		return nil
	}
	fmt.Fprintf(b, "\n## Timings\n\n")
	keys := slices.Sorted(maps.Keys(r.Timings))
	for _, k := range keys {
		fmt.Fprintf(b, "- %s: %.1f s\n", k, r.Timings[k])
	}
	return nil
}

// writeGroup writes the group-scan tables: per set, one row per layer and
// proportion.
func (r *Results) writeGroup(w *bytes.Buffer) error {
	if len(r.Group) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\n## Group scans: detection power against the contamination proportion\n\n")
	fmt.Fprintf(w, "AUC of the group-scan scores of clean groups against groups where the given proportion of the images "+
		"comes from the set (groups of equal size); precision and recall of the images the scan found, averaged over the runs.")
	if r.CIMethod != "" {
		fmt.Fprintf(w, " Brackets hold the AUC's confidence interval (%s) over the runs' clean and contaminated groups; "+
			"an interval of zero width means the two kinds of groups separated completely in these runs.", r.CIMethod)
	}
	fmt.Fprintf(w, "\n")
	for _, set := range r.Sets {
		t := Table{Header: []string{"layer", "proportion", "runs", "AUC", "precision", "recall"}}
		for _, gl := range r.Group {
			for _, p := range gl.Points {
				if p.Set != set {
					continue
				}
				auc := f3(p.AUC)
				if p.CI != nil {
					auc += fmt.Sprintf(" [%.3f, %.3f]", p.CI[0], p.CI[1])
				}
				t.Rows = append(t.Rows, []string{gl.Layer, fmt.Sprintf("%.2f", p.Proportion), fmt.Sprint(p.Runs), auc, f3(p.Precision), f3(p.Recall)})
			}
		}
		fmt.Fprintf(w, "\n### %s\n\n", set)
		if err := WriteMarkdownTable(w, t); err != nil {
			return err
		}
	}
	return nil
}
