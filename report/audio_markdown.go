package report

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
)

// audioSections are the sections of an audio study's report, in order:
// the header, what the analog is, the table beside the published one,
// the node designs, the utterances' lengths, both tails, the control, the
// baselines' details, the models'
// error rates, the attacks, what carries over, notes, warnings, figures
// and timings.
func (r *Results) audioSections(figures []Figure) []func(*bytes.Buffer) error {
	return []func(*bytes.Buffer) error{
		r.writeHeader, r.writeAudioAnalog, r.writeAudioTable, r.writeAudioLength, r.writeAudioTails, r.writeAudioControl, r.writeAudioBaselines,
		r.writeAudioModels, r.writeAudioAttacks, r.writeAudioCarries, r.writeNotes, r.writeWarnings,
		func(b *bytes.Buffer) error { return writeFigures(b, figures) }, r.writeTimings,
	}
}

// writeAudioAnalog says what the study is an analog of: what is the same
// as in the paper, what differs and why.
func (r *Results) writeAudioAnalog(b *bytes.Buffer) error {
	fmt.Fprintf(b, "## An analog, not a reproduction\n\n")
	fmt.Fprintf(b, "This is an analog of the audio table of Akinwande, Cintas, Speakman and Sridharan (2020), "+
		"\"Identifying audio adversarial examples via anomalous pattern detection\". "+
		"**The same as the paper:** the protocol (a background, clean and adversarial utterances; individual subset scans of each layer's "+
		"activations, flattened time × units, with Berk-Jones and α_max as configured; the AUC of clean against adversarial), "+
		"the attacks' families (targeted Carlini–Wagner with a shrinking L∞ bound, and the imperceptible attack of Qin et al. with "+
		"a psychoacoustic masking loss), the two baselines (temporal dependency, down/up-sampling) and the table's shape. "+
		"**What differs:** DeepSpeech, Lingvo, CommonVoice and LibriSpeech cannot be obtained on this machine, so the recognisers are "+
		"small CTC networks trained here on spoken digit strings (2–5 recordings of one speaker from the Free Spoken Digit Dataset, "+
		"8 kHz, digit words as the vocabulary); CommonVoice's crowd-sourced noise is stood for by white noise at a seeded SNR "+
		"and LibriSpeech's read speech by the clean strings; dense and recurrent layers are a few hundred units, not thousands; "+
		"the counts are this run's, listed beside the paper's.%s", r.Audio.addedText())
	var subs, extra []string
	for _, row := range r.Audio.Rows {
		if p := row.Published; p != nil && !strings.HasPrefix(p.Row, modelFamily(row.Model)) {
			subs = append(subs, fmt.Sprintf("row %s runs %s where the paper's row (%s) has another model", row.Name, row.Model, p.Row))
		} else if p == nil {
			extra = append(extra, row.Name)
		}
	}
	if len(subs) > 0 {
		fmt.Fprintf(b, " Substitutions: %s.", strings.Join(subs, "; "))
	}
	if len(extra) > 0 {
		fmt.Fprintf(b, " Without a published counterpart (the table's published columns say so): %s.", strings.Join(extra, ", "))
	}
	fmt.Fprintf(b, "\n")
	return nil
}

// addedText is the analog's sentence on the node design added here, ""
// when the rows scan the paper's flat nodes only.
func (a *Audio) addedText() string {
	designs := a.AudioDesigns()
	if !slices.Contains(designs, NodesSummary) {
		return ""
	}
	if !slices.Contains(designs, NodesFlat) {
		return " **Added here:** a node design of this project's, each unit's statistics over the utterance's own frames, " +
			"scanned instead of the paper's flattened time × units (\"The scans' nodes\" below); the published SS, of flat nodes, " +
			"stands beside it."
	}
	see := "\"The scans' nodes\" below"
	if a.hasControls() {
		see = "\"The scans' nodes\" and the controls below"
	}
	return " **Added here:** a second node design, each unit's statistics over the utterance's own frames, since the " +
		"paper's flattened time × units, on padded utterances of different lengths, can follow length rather than content (" +
		see + "); the published SS stands beside the flat column."
}

// hasControls reports whether some row has a control.
func (a *Audio) hasControls() bool {
	return slices.ContainsFunc(a.Rows, func(row AudioRow) bool { return len(row.Controls) > 0 })
}

// modelFamily returns the paper's model an analog stands for.
func modelFamily(arch string) string {
	switch {
	case strings.HasPrefix(arch, "ds-"):
		return "DeepSpeech"
	case strings.HasPrefix(arch, "lv-"):
		return "Lingvo"
	}
	return arch
}

// AudioTable returns the table in the published shape: one line per
// scanned layer, the row group's model, condition, attack and counts on
// its first line, then the layer's dimensions, TD AUC, DU accuracy and
// an SS AUC per node design (AudioDesigns' order; "–" where a row did not
// scan a design), and the published row's beside.
func (a *Audio) AudioTable() Table {
	designs := a.AudioDesigns()
	t := Table{Header: []string{"M, D, A (Bg, Cl, Ad)", "layer", "dims", "TD (AUC)", "DU (ACC %)"}}
	for _, d := range designs {
		t.Header = append(t.Header, "SS "+d+" (AUC)")
	}
	pub := len(t.Header)
	t.Header = append(t.Header, "published M, D, A (Bg, Cl, Ad)", "dims", "TD", "DU", "SS")
	for _, row := range a.Rows {
		for i, l := range row.Layers {
			line := make([]string, len(t.Header))
			line[1], line[2] = l.Layer, joinInts(l.Dims)
			for k, d := range designs {
				line[5+k] = "–"
				if c, ok := row.Column(d); ok {
					if s := l.Scan(c); s != nil {
						line[5+k] = ssCell(*s)
					}
				}
			}
			if i == 0 {
				line[0] = fmt.Sprintf("%s, %s, %s (%d, %d, %d)", row.Model, row.Condition, row.Attack, row.Background, row.Clean, row.Adversarial)
				line[3] = f3(row.TD.AUC[row.TD.Used])
				line[4] = fmt.Sprintf("%.1f", row.DU.Accuracy)
			}
			if p := row.Published; p == nil && i == 0 {
				line[pub] = noPublished
			} else if p != nil {
				if i == 0 {
					line[pub] = fmt.Sprintf("%s (%d, %d, %d)", p.Row, p.Counts[0], p.Counts[1], p.Counts[2])
					line[pub+2], line[pub+3] = naOr(p.TD, "%.3f"), naOr(p.DU, "%.1f")
				}
				line[pub+1], line[pub+4] = p.Dims[i], f3(p.SS[i])
			}
			t.Rows = append(t.Rows, line)
		}
	}
	return t
}

// AudioDesigns returns the node designs the rows scanned, in the order
// of their first appearance.
func (a *Audio) AudioDesigns() []string {
	var out []string
	for _, row := range a.Rows {
		for _, c := range row.Columns {
			if !slices.Contains(out, c.Nodes) {
				out = append(out, c.Nodes)
			}
		}
	}
	return out
}

// Column returns the row's column of the node design nodes.
func (row *AudioRow) Column(nodes string) (SSColumn, bool) {
	for _, c := range row.Columns {
		if c.Nodes == nodes {
			return c, true
		}
	}
	return SSColumn{}, false
}

// designText says what each node design's nodes are.
var designText = map[string]string{
	NodesFlat: "each time step × unit of the layer's output over the whole padded input, the paper's nodes " +
		"(as many as the dims' product)",
	NodesSummary: "each unit's mean, maximum, minimum and standard deviation over the utterance's own frames, " +
		"the padding left out of the statistics (4 × the units of a time step: 512 nodes for 128 units, 5120 for 40 × 32), " +
		"added here; a layer's outputs at those frames may still depend on the padding after them (a backward recurrence " +
		"reads it first, a convolution's window reaches into it)",
}

// noPublished fills the published columns of a row that stands beside
// no row of the paper.
const noPublished = "none: no published row"

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// naOr formats *v, or "NA" for nil.
func naOr(v *float64, format string) string {
	if v == nil {
		return "NA"
	}
	return fmt.Sprintf(format, *v)
}

// writeAudioTable writes the table and says what each column holds.
func (r *Results) writeAudioTable(b *bytes.Buffer) error {
	a := r.Audio
	fmt.Fprintf(b, "\n## The table, beside the published one\n\n")
	var tails []string
	for _, row := range a.Rows {
		var ts []string
		for _, c := range row.Columns {
			ts = append(ts, fmt.Sprintf("%s %d-tailed", c.Nodes, c.Tail))
		}
		tails = append(tails, row.Name+" "+strings.Join(ts, " and "))
	}
	fmt.Fprintf(b, "TD is the AUC of the temporal-dependency score %s (k = %s); DU the accuracy in %% of \"the transcript changed "+
		"after down/up-sampling\" on a balanced set of clean and adversarial utterances; SS the AUC of the individual-scan subset "+
		"scores, clean vs adversarial, with its confidence interval (%s), for each node design (below): scans %s (the other "+
		"tails below). Dims are time steps × units (time × frequency × channels for convolutions). The published columns are "+
		"the paper's rows, its layers in its order beside this project's; its scans are of flat nodes. Cl and Ad are the "+
		"utterances compared (by SS, TD and DU alike), matched by length (below).\n\n",
		strings.ToUpper(tdUsedOf(a)), tdKs(a), r.CIMethod, strings.Join(tails, "; "))
	if err := WriteMarkdownTable(b, a.AudioTable()); err != nil {
		return err
	}
	return r.writeAudioDesigns(b)
}

// writeAudioDesigns says what the nodes of each design are and why the
// study has more than the paper's.
func (r *Results) writeAudioDesigns(b *bytes.Buffer) error {
	designs := r.Audio.AudioDesigns()
	fmt.Fprintf(b, "\n### The scans' nodes\n\n")
	for _, d := range designs {
		fmt.Fprintf(b, "- **%s**: %s.\n", d, designText[d])
	}
	if !slices.Contains(designs, NodesSummary) {
		return nil
	}
	control := "The controls (below) measure this: the scans of the clean utterances against themselves with white noise, " +
		"which should be told apart at once."
	if !r.Audio.hasControls() {
		control = "A control would measure this, the scans of the clean utterances against themselves with white noise " +
			"(rows[].control_snr), but no row here has a control."
	}
	beside := ""
	if slices.Contains(designs, NodesFlat) {
		beside = ", and the published SS stands beside the flat column"
	}
	fmt.Fprintf(b, "\nWhy summary nodes: the utterances are padded with silence to the model's input, so a flat node (t, u) "+
		"compares an utterance's frame t with whatever the background utterances have at t, speech, a pause or padding. A "+
		"frame made unusual, even by loud noise, is seldom extreme among that mixture, and longer utterances hold more "+
		"late frames unlike the background's whatever their content. %s Summary nodes compare each utterance's own frames "+
		"with the background's, whatever their timing and the padding after them; they are not free of length, though: the "+
		"correlations below measure how far their scores follow it. They are this project's design, not the paper's%s. "+
		"The design was chosen after others were tried on the rows of the shipped audio-fsdd config (the frames common to "+
		"all utterances; per-frame nodes against all the background's frames; each unit's mean alone; frames against the "+
		"background frames of their own most probable digit), with telling the 0 dB control apart in every layer as the "+
		"criterion; those trials are not part of this run, and their AUCs against the attacks were seen too, so the "+
		"summary column is an exploration of this analog, not a test fixed in advance.\n", control, beside)
	return nil
}

// writeAudioLength says how the clean and adversarial utterances are
// matched by length and shows, from the data, that they are: their mean
// lengths beside the background's, and how much the subset scores follow
// the length.
func (r *Results) writeAudioLength(b *bytes.Buffer) error {
	fmt.Fprintf(b, "\n### The comparison, matched by length\n\n"+
		"The flat scans see the whole padded input: where an utterance has ended its frames are silence, as are those of most "+
		"background utterances at late frames, so that a longer utterance holds more nodes with low p-values and tends to score "+
		"higher whatever its content. Compared with sets of different lengths, the AUCs would measure length. So the clean "+
		"utterances and the attack sources take their numbers of digits from one seeded sequence (clean utterance i and source i "+
		"have as many digits; their recordings come from disjoint pools), and since only the successful attacks are kept, each "+
		"adversarial utterance is compared with the unused clean utterance of as many digits whose length in samples is the "+
		"nearest to its own: the clean (Cl) and adversarial (Ad) utterances of the table have identical digit counts and "+
		"lengths as near as the clean utterances drawn allow (the seconds below show what remains). The clean utterances drawn, and the successes "+
		"left without a clean one of their length (dropped), are counted below; the means are in digits and seconds "+
		"(own samples, before padding). Spearman's ρ is the rank correlation between the table's subset scores of the "+
		"clean and adversarial utterances and their length in samples, for each layer in the table's order, by node design.\n\n")
	designs := r.Audio.AudioDesigns()
	t := Table{Header: []string{"row", "drawn clean", "Cl", "successes", "Ad", "unmatched", "digits: Bg / Cl / Ad", "seconds: Bg / Cl / Ad"}}
	for _, d := range designs {
		t.Header = append(t.Header, "ρ(score, length) per layer, "+d)
	}
	for _, row := range r.Audio.Rows {
		l := row.Length
		line := []string{row.Name, fmt.Sprint(row.Drawn), fmt.Sprint(row.Clean),
			fmt.Sprintf("%d of %d", row.Adversarial+row.Unmatched, row.Sources), fmt.Sprint(row.Adversarial), fmt.Sprint(row.Unmatched),
			fmt.Sprintf("%.2f / %.2f / %.2f", l.Digits[0], l.Digits[1], l.Digits[2]),
			fmt.Sprintf("%.2f / %.2f / %.2f", l.Seconds[0], l.Seconds[1], l.Seconds[2])}
		for _, d := range designs {
			cell := "–"
			if c := slices.IndexFunc(row.Columns, func(c SSColumn) bool { return c.Nodes == d }); c >= 0 && c < len(l.Spearman) {
				rho := make([]string, len(l.Spearman[c]))
				for i, v := range l.Spearman[c] {
					rho[i] = "–" // undefined: constant scores or lengths
					if v != nil {
						rho[i] = fmt.Sprintf("%.2f", *v)
					}
				}
				cell = strings.Join(rho, ", ")
			}
			line = append(line, cell)
		}
		t.Rows = append(t.Rows, line)
	}
	return WriteMarkdownTable(b, t)
}

// tdUsedOf returns the TD metric the table uses (the rows agree).
func tdUsedOf(a *Audio) string {
	if len(a.Rows) == 0 {
		return ""
	}
	return a.Rows[0].TD.Used
}

// tdKs lists the rows' distinct k.
func tdKs(a *Audio) string {
	var ks []string
	for _, row := range a.Rows {
		if k := fmt.Sprintf("%g", row.TD.K); !slices.Contains(ks, k) {
			ks = append(ks, k)
		}
	}
	return strings.Join(ks, ", ")
}

// writeAudioTails writes both tails' AUCs of the layers scanned with
// both, by node design.
func (r *Results) writeAudioTails(b *bytes.Buffer) error {
	t := Table{Header: []string{"row", "layer", "nodes", "1-tailed AUC", "2-tailed AUC", "in the table"}}
	for _, row := range r.Audio.Rows {
		for _, c := range row.Columns {
			for _, l := range row.Layers {
				one, two := l.Scan(SSColumn{c.Nodes, 1}), l.Scan(SSColumn{c.Nodes, 2})
				if one == nil || two == nil {
					continue
				}
				t.Rows = append(t.Rows, []string{row.Name, l.Layer, c.Nodes, ssCell(*one), ssCell(*two), fmt.Sprintf("%d-tailed", c.Tail)})
			}
		}
	}
	if len(t.Rows) == 0 {
		return nil
	}
	var which []string
	designs := r.Audio.AudioDesigns()
	if slices.Contains(designs, NodesFlat) {
		which = append(which, "the outputs of recurrent layers are signed, so their flat nodes are scanned with both tails")
	}
	if slices.Contains(designs, NodesSummary) {
		which = append(which, "summary nodes (a minimum, a spread) have no direction of their own, so every layer's are")
	}
	fmt.Fprintf(b, "\n### Both tails\n\nA one-tailed scan looks for activations higher than the background's only, a "+
		"two-tailed one for both higher and lower. %s. A one-tailed AUC well below 0.5 means the adversarial utterances' "+
		"scores are lower than the clean ones': their values sit less often in the upper tail of the background's, as when "+
		"they are lower than the clean ones', which only the two-tailed scan counts as anomalous.\n\n",
		capitalise(strings.Join(which, "; ")))
	return WriteMarkdownTable(b, t)
}

// writeAudioControl writes the scans' controls, where the rows have them.
func (r *Results) writeAudioControl(b *bytes.Buffer) error {
	designs := r.Audio.AudioDesigns()
	t := Table{Header: []string{"row", "noise SNR (dB)", "layer"}}
	for _, d := range designs {
		t.Header = append(t.Header, "SS "+d+" AUC, clean vs clean + noise")
	}
	for _, row := range r.Audio.Rows {
		for _, c := range row.Controls {
			for _, l := range c.Layers {
				line := []string{row.Name, fmt.Sprintf("%g", c.SNR), l.Layer}
				for _, d := range designs {
					cell := "–"
					if col, ok := row.Column(d); ok {
						if s := l.Scan(col); s != nil {
							cell = ssCell(*s)
						}
					}
					line = append(line, cell)
				}
				t.Rows = append(t.Rows, line)
			}
		}
	}
	if len(t.Rows) == 0 {
		return nil
	}
	fmt.Fprintf(b, "\n### Controls: the scans against plain noise\n\nThe same scans (same background, layers, node designs "+
		"and tails as the table) of the clean utterances against themselves with white noise added at each SNR given, the "+
		"same noise at every SNR but for its level. The lower the SNR, the louder the noise: at 0 dB it is as loud as the "+
		"utterance, far louder than the attacks' perturbations (their SNR is in the attacks' table below), a change any "+
		"design fit for the task must tell apart; near the attacks' own SNR it is a change as loud as theirs but without "+
		"their aim, against which their AUCs can be read.\n\n")
	return WriteMarkdownTable(b, t)
}

// capitalise returns s with its first letter upper-case.
func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func ssCell(s SSTail) string { return fmt.Sprintf("%.3f [%.3f, %.3f]", s.AUC, s.CI[0], s.CI[1]) }

// writeAudioBaselines writes the baselines' details: TD by each metric,
// DU's accuracy and AUC.
func (r *Results) writeAudioBaselines(b *bytes.Buffer) error {
	fmt.Fprintf(b, "\n## Baselines\n\nTD (Yang et al., ICLR 2019): the transcript of the first k of each waveform against the "+
		"same-length prefix of the whole waveform's transcript, by word error rate (WER), character error rate (CER) and "+
		"1 − the longest common prefix's share (LCP); the table uses %s. DU: each waveform resampled to the rate below and "+
		"back, quantised to 16 bits and transcribed again; accuracy of \"the transcript changed\" on the first n clean and "+
		"n adversarial utterances (n the smaller count), and the AUC of the CER between the two transcripts.\n\n", strings.ToUpper(tdUsedOf(r.Audio)))
	t := Table{Header: []string{"row", "TD k", "TD AUC (WER)", "TD AUC (CER)", "TD AUC (LCP)", "DU rate (Hz)", "DU accuracy %", "DU AUC (CER)"}}
	for _, row := range r.Audio.Rows {
		td := row.TD
		t.Rows = append(t.Rows, []string{row.Name, fmt.Sprintf("%g", td.K), withCI(td.AUC, td.CI, "wer"), withCI(td.AUC, td.CI, "cer"),
			withCI(td.AUC, td.CI, "lcp"), fmt.Sprint(row.DU.Rate), fmt.Sprintf("%.1f (n = %d)", row.DU.Accuracy, row.DU.Balanced),
			fmt.Sprintf("%.3f [%.3f, %.3f]", row.DU.AUC, row.DU.CI[0], row.DU.CI[1])})
	}
	return WriteMarkdownTable(b, t)
}

// writeAudioModels writes each row's model and its error rates on the
// row's clean utterances.
func (r *Results) writeAudioModels(b *bytes.Buffer) error {
	fmt.Fprintf(b, "\n## The recognisers on the rows' clean utterances\n\nWord and character error rates (greedy decoding) of each row's "+
		"model on the row's clean utterances, in the row's condition.\n\n")
	t := Table{Header: []string{"row", "model", "weights (SHA-256)", "condition", "utterances", "WER %", "CER %"}}
	for _, row := range r.Audio.Rows {
		t.Rows = append(t.Rows, []string{row.Name, row.Model, row.Weights[:min(12, len(row.Weights))], row.Condition,
			fmt.Sprint(row.Drawn), fmt.Sprintf("%.2f", 100*row.WER), fmt.Sprintf("%.2f", 100*row.CER)})
	}
	return WriteMarkdownTable(b, t)
}

// writeAudioAttacks writes each row's attack, its successes and their
// distortions.
func (r *Results) writeAudioAttacks(b *bytes.Buffer) error {
	fmt.Fprintf(b, "\n## Attacks\n\nTargeted: each source's target is another digit string of its length. A success is a "+
		"16-bit adversarial waveform greedily transcribed as its target; only successes are scanned. "+
		"dB_x(δ) = 20·log10 max|δ| − 20·log10 max|x| (lower is quieter), the attacks' measure; SNR = 10·log10(Σx²/Σδ²), the "+
		"perturbation's power against the utterance's (higher is quieter), the controls' measure: a perturbation spread over "+
		"the pauses has far more power than its peak suggests. The medians and ranges are of the successes compared (Ad), "+
		"those with a clean utterance of their length.\n\n")
	t := Table{Header: []string{"row", "attack", "successful", "dB_x median", "dB_x range", "SNR median (dB)", "SNR range (dB)"}}
	for _, row := range r.Audio.Rows {
		line := []string{row.Name, row.Attack, fmt.Sprintf("%d of %d", row.Adversarial+row.Unmatched, row.Sources)}
		for _, v := range [][]float64{row.DBx, row.SNR} {
			if len(v) == 0 {
				line = append(line, "–", "–")
				continue
			}
			line = append(line, fmt.Sprintf("%.1f", median(v)), fmt.Sprintf("[%.1f, %.1f]", slices.Min(v), slices.Max(v)))
		}
		t.Rows = append(t.Rows, line)
	}
	return WriteMarkdownTable(b, t)
}

// bestSS returns the index of the layer of row with the highest AUC of
// column c (the first on ties), -1 when it has none.
func bestSS(row AudioRow, c SSColumn) int {
	best, auc := -1, 0.0
	for i, l := range row.Layers {
		if s := l.Scan(c); s != nil && (best < 0 || s.AUC > auc) {
			best, auc = i, s.AUC
		}
	}
	return best
}

// ordinals name the first layers by position.
var ordinals = []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"}

func ordinal(i int) string {
	if i < len(ordinals) {
		return ordinals[i]
	}
	return fmt.Sprintf("%dth", i+1)
}

// AudioParagraph says, from the numbers, what carries over from the
// paper, in a paragraph per row and a last one: for each row and node
// design whether its best layer beats TD and DU (by the AUCs, saying when
// the baseline's lies inside the layer's interval), how many layers
// detect the attack or rank it below the clean utterances (confidence
// interval above or below 0.5); the paper's row (publishedSentence); the
// controls' ranges beside the attack's SNR.
func (a *Audio) AudioParagraph() string {
	var parts []string
	beats, clear, scanned := map[string]int{}, map[string]int{}, map[string]int{}
	pubBeats, pubTD := 0, 0
	for _, row := range a.Rows {
		var s []string
		for _, c := range row.Columns {
			text, beat, above := designSentence(row, c)
			if text == "" {
				continue
			}
			s = append(s, text)
			scanned[c.Nodes]++
			if beat {
				beats[c.Nodes]++
			}
			if above {
				clear[c.Nodes]++
			}
		}
		if len(s) == 0 {
			continue
		}
		para := fmt.Sprintf("In %s, %s", row.Name, strings.Join(s, "; "))
		if text, beat, td := publishedSentence(row); text != "" {
			para += ". " + text
			if td {
				pubTD++
			}
			if beat {
				pubBeats++
			}
		}
		if ctl := controlSentence(row); ctl != "" {
			para += ". " + ctl
		}
		parts = append(parts, para+".")
	}
	var counts []string
	for _, d := range a.AudioDesigns() {
		n := fmt.Sprintf("%d of %d rows with %s nodes", beats[d], scanned[d], d)
		if beats[d] > 0 {
			n += fmt.Sprintf(" (%d of them with TD below the layer's interval)", clear[d])
		}
		counts = append(counts, n)
	}
	parts = append(parts, fmt.Sprintf("Some layer beats TD in %s here, and in %d of the %d published rows that print TD.",
		strings.Join(counts, " and "), pubBeats, pubTD))
	return strings.Join(parts, "\n\n")
}

// publishedSentence says what the paper's row beside row shows: its best
// layer, with which node designs the best here is at its position, how
// many published AUCs are below 0.5 (the paper prints no intervals) and
// whether its best beats TD (beat; td reports whether it prints TD); ""
// when row has no published row.
func publishedSentence(row AudioRow) (text string, beat, td bool) {
	p := row.Published
	if p == nil || len(p.SS) == 0 {
		return "", false, false
	}
	pi := slices.Index(p.SS, slices.Max(p.SS))
	pb := 0
	for _, v := range p.SS {
		if v < 0.5 {
			pb++
		}
	}
	var same, other []string
	for _, c := range row.Columns {
		if bestSS(row, c) == pi {
			same = append(same, c.Nodes)
		} else {
			other = append(other, c.Nodes)
		}
	}
	pos := "the best here with " + strings.Join(same, " and ") + " nodes is at that position"
	switch {
	case len(same) == 0:
		pos = "no best here is at that position"
	case len(other) > 0:
		pos += ", with " + strings.Join(other, " and ") + " nodes not"
	}
	text = fmt.Sprintf("The paper's row (%s): the best layer is the %s (%.3f; %s), %d of %d below 0.5",
		p.Row, ordinal(pi), p.SS[pi], pos, pb, len(p.SS))
	if p.TD == nil {
		return text + ", TD not printed", false, false
	}
	beat = p.SS[pi] > *p.TD
	return text + fmt.Sprintf(", and it %s TD (%.3f)", verb(beat, "beats", "does not beat"), *p.TD), beat, true
}

// controlSentence says how the row's controls fare beside the attack's
// SNR: the range of each column's AUCs over the layers, at each SNR.
func controlSentence(row AudioRow) string {
	var parts []string
	for _, c := range row.Controls {
		var ranges []string
		for _, col := range row.Columns {
			var aucs []float64
			for _, l := range c.Layers {
				if sc := l.Scan(col); sc != nil {
					aucs = append(aucs, sc.AUC)
				}
			}
			if len(aucs) > 0 {
				ranges = append(ranges, fmt.Sprintf("%s with %s nodes", span(slices.Min(aucs), slices.Max(aucs)), col.Nodes))
			}
		}
		parts = append(parts, fmt.Sprintf("at %g dB SNR %s", c.SNR, strings.Join(ranges, " and ")))
	}
	if len(parts) == 0 {
		return ""
	}
	s := "The controls (the clean utterances with white noise) get SS AUC " + strings.Join(parts, "; ")
	if len(row.SNR) > 0 {
		s += fmt.Sprintf(", where the attack's perturbations have a median SNR of %.1f dB", median(row.SNR)) + nearestControl(row)
	}
	return s
}

// nearestControl says, for the control whose SNR is the nearest the
// attack's median (the first on ties), how each column's best layer for
// the attack tells that noise apart beside the attack, and whether the
// attack is told apart better (asWellAs): a detector of any change as loud
// as the attack's, blind to its aim, would score both alike.
func nearestControl(row AudioRow) string {
	if len(row.Controls) == 0 {
		return ""
	}
	m, k := median(row.SNR), 0
	for i, c := range row.Controls {
		if math.Abs(c.SNR-m) < math.Abs(row.Controls[k].SNR-m) {
			k = i
		}
	}
	ctl := row.Controls[k]
	var cols []string
	for _, c := range row.Columns {
		i := bestSS(row, c)
		if i < 0 || i >= len(ctl.Layers) {
			continue
		}
		if noise := ctl.Layers[i].Scan(c); noise != nil {
			att := row.Layers[i].Scan(c)
			cols = append(cols, fmt.Sprintf("%.3f with %s nodes (%s; the attack %.3f, %s)", noise.AUC, c.Nodes, row.Layers[i].Layer, att.AUC,
				asWellAs(att, noise.AUC)))
		}
	}
	if len(cols) == 0 {
		return ""
	}
	return fmt.Sprintf("; at %g dB, the control nearest that, the best layers for the attack score the noise at AUC %s", ctl.SNR, strings.Join(cols, " and "))
}

// asWellAs says how the attack's scan att compares with the noise's AUC:
// told apart better or less well than the noise when the noise's AUC lies
// outside att's interval, about as well otherwise.
func asWellAs(att *SSTail, noise float64) string {
	switch {
	case noise < att.CI[0]:
		return "better than the noise"
	case noise > att.CI[1]:
		return "less well than the noise"
	}
	return "about as well as the noise"
}

// span formats the range [lo, hi] at 3 decimals, one number when they
// print alike.
func span(lo, hi float64) string {
	a, b := fmt.Sprintf("%.3f", lo), fmt.Sprintf("%.3f", hi)
	if a == b {
		return a
	}
	return a + " to " + b
}

// median returns the median of v (not empty).
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return m
}

// designSentence says how the scans of column c of row fare: the best
// layer against TD and DU, by the AUCs, saying when the baseline's AUC
// lies inside the layer's interval, and how many layers detect the attack
// or rank it below the clean utterances; beat reports whether the best
// beats TD, above whether TD's AUC lies below its interval.
func designSentence(row AudioRow, c SSColumn) (text string, beat, above bool) {
	i := bestSS(row, c)
	if i < 0 {
		return "", false, false
	}
	sc := row.Layers[i].Scan(c)
	ss, td := sc.AUC, row.TD.AUC[row.TD.Used]
	up, down := 0, 0
	for _, l := range row.Layers {
		if s := l.Scan(c); s != nil && s.CI[0] > 0.5 {
			up++
		} else if s != nil && s.CI[1] < 0.5 {
			down++
		}
	}
	return fmt.Sprintf("with %s nodes (%d-tailed) the best layer, %s (the %s, AUC %.3f [%.3f, %.3f]), %s TD (%.3f%s) and %s DU "+
		"(AUC %.3f%s, accuracy %.1f %%), and of the %d layers %d detect the adversarial utterances (interval above 0.5) and %d "+
		"rank them below the clean ones (interval below 0.5)",
		c.Nodes, c.Tail, row.Layers[i].Layer, ordinal(i), ss, sc.CI[0], sc.CI[1], verb(ss > td, "beats", "does not beat"), td,
		inside(sc.CI, td), verb(ss > row.DU.AUC, "beats", "does not beat"), row.DU.AUC, inside(sc.CI, row.DU.AUC),
		row.DU.Accuracy, len(row.Layers), up, down), ss > td, sc.CI[0] > td
}

// inside returns ", inside the layer's interval" when v lies in ci, else
// "": a baseline's AUC there is not told apart from the layer's.
func inside(ci [2]float64, v float64) string {
	if ci[0] <= v && v <= ci[1] {
		return ", inside the layer's interval"
	}
	return ""
}

func verb(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

// writeAudioCarries writes the paragraph of what carries over.
func (r *Results) writeAudioCarries(b *bytes.Buffer) error {
	fmt.Fprintf(b, "\n## What carries over\n\n%s\n", r.Audio.AudioParagraph())
	return nil
}
