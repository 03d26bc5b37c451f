package report_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"subsetscan/report"
)

func ptr(v float64) *float64 { return &v }

// audioSample is a synthetic audio study: two rows, the first with both
// node designs, a recurrent layer's flat nodes and every summary scanned
// with both tails, a control and a published row with TD and DU, the
// second with flat nodes only against a published row of another model
// without them.
func audioSample() *report.Results {
	tone := make([]float32, 800)
	adv := make([]float32, 800)
	for i := range tone {
		tone[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/8000))
		adv[i] = tone[i] + float32(0.01*math.Sin(2*math.Pi*2500*float64(i)/8000))
	}
	td := func(c, a []float64, auc float64) report.AudioTD {
		return report.AudioTD{K: 0.5, Used: "cer", Metrics: []string{"wer", "cer", "lcp"},
			AUC:   map[string]float64{"wer": auc - 0.1, "cer": auc, "lcp": auc - 0.05},
			CI:    map[string][2]float64{"wer": {0.2, 0.8}, "cer": {0.3, 0.9}, "lcp": {0.25, 0.85}},
			Clean: map[string][]float64{"cer": c}, Adv: map[string][]float64{"cer": a}}
	}
	scan := func(nodes string, tail int, auc float64) report.SSTail {
		return report.SSTail{Nodes: nodes, Tail: tail, AUC: auc, CI: [2]float64{auc - 0.1, min(1, auc+0.1)}, Clean: []float64{1, 2, 3}, Adversarial: []float64{2.5, 4}}
	}
	control := func(nodes string, tail int, auc float64) report.SSTail {
		s := scan(nodes, tail, auc)
		s.Clean, s.Adversarial = nil, nil
		return s
	}
	cols := []report.SSColumn{{Nodes: report.NodesFlat, Tail: 1}, {Nodes: report.NodesSummary, Tail: 2}}
	const flat, summary = report.NodesFlat, report.NodesSummary
	return &report.Results{
		Experiment: "audio-toy", Description: "A synthetic audio study for the report golden files.",
		Config: []byte(`{"name":"audio-toy"}`), Provenance: report.Provenance{Seed: 3, ConfigHash: "feed", GoVersion: "go1.x", Revision: "r2"},
		Samples: map[string]int{"a background": 6}, CIMethod: "DeLong (1988), 95 %", Timings: map[string]float64{"total": 3},
		Audio: &report.Audio{
			Rows: []report.AudioRow{
				{Name: "ds-noisy-cw", Model: "ds-fsdd", Weights: "0123456789abcdef", Condition: "noisy, SNR 10–30 dB", Attack: "CW, 150 steps from -10 dB_x",
					Background: 6, Clean: 3, Drawn: 4, Sources: 3, Adversarial: 2, DBx: []float64{-30, -20}, SNR: []float64{18, 24}, WER: 0.05, CER: 0.04, Columns: cols,
					Length: report.AudioLength{Digits: [3]float64{3.5, 3, 3}, Seconds: [3]float64{1.6, 1.4, 1.45}, Spearman: [][]*float64{{ptr(0.1), ptr(-0.25)}, {ptr(0.05), ptr(0.15)}}},
					Layers: []report.AudioLayer{
						{Layer: "dense_1", Dims: []int{179, 128}, Scans: []report.SSTail{scan(flat, 1, 0.4), scan(summary, 2, 0.85), scan(summary, 1, 0.2)}},
						{Layer: "bilstm_1", Dims: []int{179, 128}, Scans: []report.SSTail{scan(flat, 1, 0.9), scan(flat, 2, 0.8), scan(summary, 2, 0.7), scan(summary, 1, 0.65)}},
					},
					TD: td([]float64{0, 0, 0.5}, []float64{0, 1}, 0.6),
					DU: report.AudioDU{Rate: 4000, Balanced: 2, Accuracy: 75, AUC: 0.7, CI: [2]float64{0.4, 1}, Clean: []float64{0, 0, 0.2}, Adv: []float64{0.5, 0}},
					Controls: []report.AudioControl{
						{SNR: 0, Layers: []report.AudioLayer{
							{Layer: "dense_1", Dims: []int{179, 128}, Scans: []report.SSTail{control(flat, 1, 0.95), control(summary, 2, 0.99)}},
							{Layer: "bilstm_1", Dims: []int{179, 128}, Scans: []report.SSTail{control(flat, 1, 0.6), control(summary, 2, 1)}},
						}},
						{SNR: 20, Layers: []report.AudioLayer{
							{Layer: "dense_1", Dims: []int{179, 128}, Scans: []report.SSTail{control(flat, 1, 0.5), control(summary, 2, 0.7)}},
							{Layer: "bilstm_1", Dims: []int{179, 128}, Scans: []report.SSTail{control(flat, 1, 0.45), control(summary, 2, 0.8)}},
						}},
					},
					Published: &report.AudioPublished{Row: "DeepSpeech, CommonVoice, CW", Counts: [3]int{800, 200, 90}, Dims: []string{"80, 2048", "80, 4096"},
						TD: ptr(0.936), DU: ptr(91.5), SS: []float64{0.283, 0.973}}},
				{Name: "ds-clean-ia", Model: "ds-fsdd", Weights: "0123456789abcdef", Condition: "clean", Attack: "IA, stage 1 150 steps from -10 dB_x, stage 2 100 steps",
					Background: 6, Clean: 3, Drawn: 3, Sources: 4, Adversarial: 2, Unmatched: 1, DBx: []float64{-25, -35}, SNR: []float64{21, 30.5}, WER: 0, CER: 0, Columns: cols[:1],
					Length: report.AudioLength{Digits: [3]float64{3.5, 2.5, 2.5}, Seconds: [3]float64{1.6, 1.2, 1.25}, Spearman: [][]*float64{{ptr(0.9), ptr(0.7)}}},
					Layers: []report.AudioLayer{
						{Layer: "dense_1", Dims: []int{179, 128}, Scans: []report.SSTail{scan(flat, 1, 0.3)}},
						{Layer: "dense_2", Dims: []int{179, 128}, Scans: []report.SSTail{scan(flat, 1, 0.55)}},
					},
					TD: td([]float64{0, 0, 0}, []float64{0, 0}, 0.5),
					DU: report.AudioDU{Rate: 4000, Balanced: 2, Accuracy: 50, AUC: 0.5, CI: [2]float64{0.2, 0.8}, Clean: []float64{0, 0, 0}, Adv: []float64{0, 0}},
					Published: &report.AudioPublished{Row: "Lingvo, LibriSpeech, IA", Counts: [3]int{300, 100, 100}, Dims: []string{"179, 40, 32", "212, 20, 32"},
						SS: []float64{0.755, 0.491}}},
			},
			Example: &report.AudioExample{Row: "ds-noisy-cw", Rate: 8000, Transcript: "one two", Target: "three four", DBx: -34, Clean: tone, Adversarial: adv},
		},
	}
}

// renderAudio renders r into dir and returns its report.md.
func renderAudio(t *testing.T, dir string, r *report.Results) string {
	t.Helper()
	if err := report.Render(dir, r); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(md)
}

// TestAudioGolden renders the audio sample and compares its report.md
// with testdata/audio.md.golden; it checks the figures, the key lines and
// that the report is re-rendered from results.json alike.
func TestAudioGolden(t *testing.T) {
	dir := t.TempDir()
	r := audioSample()
	if err := report.Save(dir, r); err != nil {
		t.Fatal(err)
	}
	loaded, err := report.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := []byte(renderAudio(t, dir, loaded))
	compareGolden(t, got, "audio.md.golden")
	for _, w := range []string{
		"## An analog, not a reproduction",
		"| dense_1  | 179, 128 | 0.600    | 75.0       | 0.400 [0.300, 0.500] | 0.850 [0.750, 0.950] | DeepSpeech, CommonVoice, CW (800, 200, 90) | 80, 2048    | 0.936 | 91.5 | 0.283 |",
		"| dense_2  | 179, 128 |          |            | 0.550 [0.450, 0.650] | –                    |",
		"| ds-noisy-cw | bilstm_1 | flat    | 0.900 [0.800, 1.000] | 0.800 [0.700, 0.900] | 1-tailed     |",
		"| ds-noisy-cw | dense_1  | summary | 0.200 [0.100, 0.300] | 0.850 [0.750, 0.950] | 2-tailed     |",
		"- **summary**: each unit's mean, maximum, minimum and standard deviation",
		"| ds-noisy-cw | CW, 150 steps from -10 dB_x                            | 2 of 3     | -25.0       | [-30.0, -20.0] | 21.0            | [18.0, 24.0]   |",
		"row ds-clean-ia runs ds-fsdd where the paper's row (Lingvo, LibriSpeech, IA) has another model",
		"In ds-noisy-cw, with flat nodes (1-tailed) the best layer, bilstm_1 (the second, AUC 0.900 [0.800, 1.000]), beats TD (0.600)",
		"and of the 2 layers 1 detect the adversarial utterances (interval above 0.5) and 0 rank them below the clean ones (interval below 0.5)",
		"; with summary nodes (2-tailed) the best layer, dense_1 (the first, AUC 0.850 [0.750, 0.950]), beats TD (0.600)",
		"the best layer is the second (0.973; the best here with flat nodes is at that position, with summary nodes not)",
		"Some layer beats TD in 2 of 2 rows with flat nodes (1 of them with TD below the layer's interval) and 1 of 1 rows with summary nodes (1 of them with TD below the layer's interval) here, and in 1 of the 1 published rows that print TD.",
		"dense_2 (the second, AUC 0.550 [0.450, 0.650]), beats TD (0.500, inside the layer's interval) and beats DU (AUC 0.500, inside the layer's interval, accuracy 50.0 %)",
		"![audio_example](audio_example.png)",
		"| ds-noisy-cw | 0              | dense_1  | 0.950 [0.850, 1.000]",
		"The controls (the clean utterances with white noise) get SS AUC at 0 dB SNR 0.600 to 0.950 with flat nodes and 0.990 to 1.000 with summary nodes; at 20 dB SNR 0.450 to 0.500 with flat nodes and 0.700 to 0.800 with summary nodes, where the attack's perturbations have a median SNR of 21.0 dB; at 20 dB, the control nearest that, the best layers for the attack score the noise at AUC 0.450 with flat nodes (bilstm_1; the attack 0.900, better than the noise) and 0.700 with summary nodes (dense_1; the attack 0.850, better than the noise).",
		"| ds-noisy-cw | 20             | bilstm_1 | 0.450 [0.350, 0.550]                | 0.800 [0.700, 0.900]                   |",
		"The medians and ranges are of the successes compared (Ad)",
	} {
		if !strings.Contains(string(got), w) {
			t.Errorf("report lacks %q", w)
		}
	}
	for _, f := range []string{"audio_layers_flat.png", "audio_layers_summary.png", "audio_roc_ds-noisy-cw.png", "audio_roc_ds-clean-ia.png", "audio_example.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 1000 {
			t.Errorf("figure %s: %v", f, err)
		}
	}
}

// TestAudioParagraphNoTD checks the paragraph when no row beats TD and no
// published row prints TD.
func TestAudioParagraphNoTD(t *testing.T) {
	a := audioSample().Audio
	a.Rows = a.Rows[1:]
	a.Rows[0].TD.AUC["cer"] = 0.99
	p := a.AudioParagraph()
	for _, w := range []string{"does not beat TD (0.990)", "TD not printed", "Some layer beats TD in 0 of 1 rows with flat nodes here, and in 0 of the 0 published rows"} {
		if !strings.Contains(p, w) {
			t.Errorf("paragraph lacks %q:\n%s", w, p)
		}
	}
}

// TestAudioCheck checks what verify checks of audio results: none of the
// sample's cells is missing, and a missing scan, an AUC that is NaN, a
// score short and a published row of another length are each found.
func TestAudioCheck(t *testing.T) {
	// TD and DU, then a cell per layer and column: 2 + 2×2 + 2×2×2 (the
	// first row, with its two controls) and 2 + 2×1.
	if cells, problems := audioSample().Audio.Check(); cells != 18 || len(problems) != 0 {
		t.Fatalf("sample: %d cells, problems %v; want 18 and none", cells, problems)
	}
	for _, tc := range []struct {
		name  string
		spoil func(a *report.Audio)
		want  string
	}{
		{"no scan", func(a *report.Audio) { a.Rows[0].Layers[1].Scans = a.Rows[0].Layers[1].Scans[:2] }, "ds-noisy-cw: layer bilstm_1 has no summary 2-tailed scan"},
		{"control", func(a *report.Audio) {
			a.Rows[0].Controls[1].Layers[0].Scans = a.Rows[0].Controls[1].Layers[0].Scans[1:]
		}, "ds-noisy-cw: control at 20 dB: layer dense_1 has no flat 1-tailed scan"},
		{"SNR", func(a *report.Audio) { a.Rows[1].SNR = a.Rows[1].SNR[:1] }, "2 dB_x, 1 SNR"},
		{"control twice", func(a *report.Audio) { a.Rows[0].Controls[1].SNR = 0 }, "ds-noisy-cw: control at 0 dB twice"},
		{"NaN", func(a *report.Audio) { a.Rows[1].Layers[0].Scans[0].AUC = math.NaN() }, "ds-clean-ia: layer dense_1, flat 1-tailed: AUC NaN"},
		{"scores", func(a *report.Audio) { a.Rows[0].Layers[0].Scans[0].Clean = nil }, "0 clean and 2 adversarial scores"},
		{"TD", func(a *report.Audio) { a.Rows[0].TD.AUC["cer"] = 1.5 }, "ds-noisy-cw: TD AUC (cer) 1.5"},
		{"published", func(a *report.Audio) { a.Rows[1].Published.SS = a.Rows[1].Published.SS[:1] }, "2 layers beside a published row of 1"},
		{"dB_x", func(a *report.Audio) { a.Rows[0].DBx = nil }, "2 (and 0 unmatched) of 3 sources adversarial, 0 dB_x"},
		{"unmatched", func(a *report.Audio) { a.Rows[1].Unmatched = 3 }, "2 (and 3 unmatched) of 4 sources"},
		{"drawn", func(a *report.Audio) { a.Rows[0].Drawn = 2 }, "3 of 2 clean"},
		{"Spearman", func(a *report.Audio) { a.Rows[0].Length.Spearman = a.Rows[0].Length.Spearman[:1] }, "Spearman correlations with the length for 1 columns, not 2"},
		{"Spearman layers", func(a *report.Audio) { a.Rows[1].Length.Spearman[0] = nil }, "column 0: 0 Spearman correlations with the length for 2 layers"},
		{"no layer", func(a *report.Audio) {
			a.Rows[1].Layers, a.Rows[1].Published, a.Rows[1].Length.Spearman[0] = nil, nil, nil
		}, "ds-clean-ia: no scanned layer"},
		{"no column", func(a *report.Audio) { a.Rows[1].Columns, a.Rows[1].Length.Spearman = nil, nil }, "ds-clean-ia: no SS column"},
		{"unknown design", func(a *report.Audio) {
			a.Rows[1].Columns = []report.SSColumn{{Nodes: "frames", Tail: 1}}
			for i := range a.Rows[1].Layers {
				a.Rows[1].Layers[i].Scans[0].Nodes = "frames"
			}
		}, `ds-clean-ia: column 0: unknown node design "frames"`},
		{"tail", func(a *report.Audio) {
			a.Rows[1].Columns = []report.SSColumn{{Nodes: report.NodesFlat, Tail: 3}} // not the first row's slice
			for i := range a.Rows[1].Layers {
				a.Rows[1].Layers[i].Scans[0].Tail = 3
			}
		}, "ds-clean-ia: column 0: flat nodes 3-tailed"},
		{"design twice", func(a *report.Audio) {
			a.Rows[1].Columns = []report.SSColumn{{Nodes: report.NodesFlat, Tail: 1}, {Nodes: report.NodesFlat, Tail: 2}}
			a.Rows[1].Length.Spearman = append(a.Rows[1].Length.Spearman, []*float64{ptr(0), ptr(0)})
			for i := range a.Rows[1].Layers {
				a.Rows[1].Layers[i].Scans = append(a.Rows[1].Layers[i].Scans, a.Rows[1].Layers[i].Scans[0])
				a.Rows[1].Layers[i].Scans[1].Tail = 2
			}
		}, "ds-clean-ia: column 1: flat nodes twice"},
	} {
		a := audioSample().Audio
		tc.spoil(a)
		_, problems := a.Check()
		if len(problems) != 1 || !strings.Contains(problems[0], tc.want) {
			t.Errorf("%s: problems %q, want one with %q", tc.name, problems, tc.want)
		}
	}
}

// TestAudioUnpublishedRow checks a row beside no published one: the
// table's published columns say so, the analog names the row, and a row
// of the paper's own model family is no substitution.
func TestAudioUnpublishedRow(t *testing.T) {
	r := audioSample()
	r.Audio.Rows[1].Model = "lv-fsdd"
	extra := r.Audio.Rows[1]
	extra.Name, extra.Model, extra.Published = "ds-clean-ia", "ds-fsdd", nil
	r.Audio.Rows = append(r.Audio.Rows, extra)
	var b bytes.Buffer
	if err := report.WriteMarkdownTable(&b, r.Audio.AudioTable()); err != nil {
		t.Fatal(err)
	}
	table := b.String()
	if n := strings.Count(table, "none: no published row"); n != 1 {
		t.Errorf("%d rows say they have no published row, want 1:\n%s", n, table)
	}
	dir := t.TempDir()
	if err := report.Save(dir, r); err != nil {
		t.Fatal(err)
	}
	md := renderAudio(t, dir, r)
	if !strings.Contains(md, "Without a published counterpart (the table's published columns say so): ds-clean-ia.") {
		t.Error("the analog does not name the row without a published counterpart")
	}
	if strings.Contains(md, "Substitutions:") {
		t.Error("the analog lists substitutions though every published row has its model family")
	}
	if _, problems := r.Audio.Check(); len(problems) != 0 {
		t.Errorf("problems %v", problems)
	}
}

// onlyDesign returns the audio sample with every row's columns, scans,
// controls and correlations cut to the node design nodes (the second row,
// flat only, dropped when nodes is summary).
func onlyDesign(nodes string) *report.Results {
	r := audioSample()
	var rows []report.AudioRow
	keep := func(ls []report.AudioLayer) {
		for i := range ls {
			var s []report.SSTail
			for _, sc := range ls[i].Scans {
				if sc.Nodes == nodes {
					s = append(s, sc)
				}
			}
			ls[i].Scans = s
		}
	}
	for _, row := range r.Audio.Rows {
		c, ok := row.Column(nodes)
		if !ok {
			continue
		}
		k := slices.Index(row.Columns, c)
		row.Columns, row.Length.Spearman = []report.SSColumn{c}, row.Length.Spearman[k:k+1]
		keep(row.Layers)
		for _, ctl := range row.Controls {
			keep(ctl.Layers)
		}
		rows = append(rows, row)
	}
	r.Audio.Rows = rows
	return r
}

// TestAudioOneDesign renders studies whose rows all scan one node design,
// and one without controls: the report, verify's check and the figures
// work, and the prose claims nothing of a design, a column or a control
// the report does not have.
func TestAudioOneDesign(t *testing.T) {
	noControls := audioSample()
	for i := range noControls.Audio.Rows {
		noControls.Audio.Rows[i].Controls = nil
	}
	for _, tc := range []struct {
		name      string
		r         *report.Results
		want, not []string
		figures   []string
	}{
		{"summary only", onlyDesign(report.NodesSummary),
			[]string{"| SS summary (AUC)", "Some layer beats TD in 1 of 1 rows with summary nodes (1 of them with TD below the layer's interval) here", "Why summary nodes", "- **summary**"},
			[]string{"SS flat", "flat column", "a second node design", "- **flat**", "with flat nodes"},
			[]string{"audio_layers_summary.png"}},
		{"flat only", onlyDesign(report.NodesFlat),
			[]string{"| SS flat (AUC)", "Some layer beats TD in 2 of 2 rows with flat nodes (1 of them with TD below the layer's interval) here", "- **flat**"},
			[]string{"SS summary", "summary nodes", "Added here", "Why summary nodes", "- **summary**"},
			[]string{"audio_layers_flat.png"}},
		{"both, no control", noControls,
			[]string{"Some layer beats TD in 2 of 2 rows with flat nodes (1 of them with TD below the layer's interval) and 1 of 1 rows with summary nodes (1 of them with TD below the layer's interval) here", "no row here has a control"},
			[]string{"The controls (below)", "the controls below", "Controls: the scans against plain noise", "The controls (the clean"},
			[]string{"audio_layers_flat.png", "audio_layers_summary.png"}},
	} {
		if _, problems := tc.r.Audio.Check(); len(problems) != 0 {
			t.Errorf("%s: problems %v", tc.name, problems)
		}
		dir := t.TempDir()
		md := renderAudio(t, dir, tc.r)
		for _, w := range tc.want {
			if !strings.Contains(md, w) {
				t.Errorf("%s: report lacks %q", tc.name, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(md, w) {
				t.Errorf("%s: report has %q", tc.name, w)
			}
		}
		for _, f := range tc.figures {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: figure %s: %v", tc.name, f, err)
			}
		}
	}
}

// TestAudioNearestControl checks which control the paragraph sets beside
// the attack: the one nearest the perturbations' median SNR, the first on
// ties, none without controls.
func TestAudioNearestControl(t *testing.T) {
	for _, tc := range []struct {
		snr      []float64
		controls bool
		want     string
	}{
		{[]float64{18, 24}, true, "; at 20 dB, the control nearest that, the best layers for the attack score the noise at AUC 0.450 with flat nodes (bilstm_1; the attack 0.900, better than the noise) and 0.700 with summary nodes (dense_1; the attack 0.850, better than the noise)."},
		{[]float64{1, 3}, true, "; at 0 dB, the control nearest that, the best layers for the attack score the noise at AUC 0.600 with flat nodes (bilstm_1; the attack 0.900, better than the noise) and 0.990 with summary nodes (dense_1; the attack 0.850, less well than the noise)."},
		{[]float64{10}, true, "; at 0 dB, the control nearest that"},
		{[]float64{18, 24}, false, ""},
	} {
		a := audioSample().Audio
		a.Rows[0].SNR = tc.snr
		if !tc.controls {
			a.Rows[0].Controls = nil
		}
		p := a.AudioParagraph()
		if tc.want == "" && strings.Contains(p, "the control nearest") || !strings.Contains(p, tc.want) {
			t.Errorf("SNR %v, controls %v: paragraph lacks %q:\n%s", tc.snr, tc.controls, tc.want, p)
		}
	}
}

// TestAudioUndefinedRho checks that a length correlation left undefined
// (constant scores) is saved as null, loaded back and printed as "–".
func TestAudioUndefinedRho(t *testing.T) {
	r := audioSample()
	r.Audio.Rows[0].Length.Spearman[0][1] = nil
	dir := t.TempDir()
	if err := report.Save(dir, r); err != nil {
		t.Fatal(err)
	}
	loaded, err := report.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rho := loaded.Audio.Rows[0].Length.Spearman; rho[0][1] != nil || rho[0][0] == nil || *rho[0][0] != 0.1 {
		t.Errorf("loaded correlations %v", rho)
	}
	if md := renderAudio(t, dir, loaded); !strings.Contains(md, "| 0.10, –  ") {
		t.Errorf("report lacks the undefined correlation as –:\n%s", md)
	}
}
