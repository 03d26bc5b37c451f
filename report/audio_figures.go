package report

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// audioFigures draws the audio study's figures into dir: the SS AUC per
// layer of each row group, the ROC curves of each row's best layer
// against TD and DU, and the example utterance.
func (r *Results) audioFigures(dir string) ([]Figure, error) {
	if r.Audio == nil {
		return nil, nil
	}
	var figs []Figure
	for _, d := range r.Audio.AudioDesigns() {
		name := "audio_layers_" + d + ".png"
		if err := r.audioLayersFigure(filepath.Join(dir, name), d); err != nil {
			return nil, err
		}
		figs = append(figs, Figure{File: name, Caption: "SS AUC per layer for each row group, " + d + " nodes (the table's tail), " +
			"with confidence intervals; the paper's rows (its flat nodes) dashed, by layer position"})
	}
	for _, row := range r.Audio.Rows {
		name := "audio_roc_" + row.Name + ".png"
		if err := r.audioROCFigure(filepath.Join(dir, name), row); err != nil {
			return nil, err
		}
		figs = append(figs, Figure{File: name, Caption: "ROC curves of " + row.Name + ": the best SS layer of each node design, TD and DU"})
	}
	if ex := r.Audio.Example; ex != nil {
		if err := r.audioExampleFigure(filepath.Join(dir, "audio_example.png"), ex); err != nil {
			return nil, err
		}
		figs = append(figs, Figure{File: "audio_example.png", Caption: fmt.Sprintf("A clean utterance of %s (%q), its adversarial "+
			"version (target %q, dB_x %.1f) and the perturbation: waveforms and log spectrograms", ex.Row, ex.Transcript, ex.Target, ex.DBx)})
	}
	return figs, nil
}

// audioLayersFigure writes the SS AUC of each row's layers by position,
// with the node design nodes.
func (r *Results) audioLayersFigure(path, nodes string) error {
	p := plot.New()
	p.X.Label.Text = "scanned layer (position)"
	p.Y.Label.Text = "AUC, clean vs adversarial"
	p.Add(lightGrid())
	p.Y.Min, p.Y.Max = 0, 1
	p.Y.Tick.Marker = unitTicks
	legend := newSideLegend("row group")
	var ticks plot.ConstantTicks
	for k, row := range r.Audio.Rows {
		c, ok := row.Column(nodes)
		if !ok {
			continue
		}
		col := plotutil.Color(k)
		var got plotter.XYs
		var bars errorBars
		for i, l := range row.Layers {
			s := l.Scan(c)
			if s == nil {
				return fmt.Errorf("report: audio layers figure, row %s: layer %s has no %s %d-tailed scan", row.Name, l.Layer, c.Nodes, c.Tail)
			}
			got = append(got, plotter.XY{X: float64(i + 1), Y: s.AUC})
			bars.XYs = append(bars.XYs, plotter.XY{X: float64(i + 1), Y: s.AUC})
			bars.YErrors = append(bars.YErrors, struct{ Low, High float64 }{s.AUC - s.CI[0], s.CI[1] - s.AUC})
			if i >= len(ticks) {
				ticks = append(ticks, plot.Tick{Value: float64(i + 1), Label: fmt.Sprint(i + 1)})
			}
		}
		line, pts, err := plotter.NewLinePoints(got)
		if err != nil {
			return fmt.Errorf("report: audio layers figure, row %s: %w", row.Name, err)
		}
		line.Color, pts.Color, pts.Shape = col, col, plotutil.Shape(k)
		eb, err := plotter.NewYErrorBars(bars)
		if err != nil {
			return fmt.Errorf("report: audio layers figure, row %s: %w", row.Name, err)
		}
		eb.Color = col
		p.Add(line, pts, eb)
		legend.Add(row.Name, line, pts)
		if pub := row.Published; pub != nil {
			var xy plotter.XYs
			for i, v := range pub.SS {
				xy = append(xy, plotter.XY{X: float64(i + 1), Y: v})
			}
			dl, err := plotter.NewLine(xy)
			if err != nil {
				return fmt.Errorf("report: audio layers figure, row %s: %w", row.Name, err)
			}
			dl.Color, dl.Dashes = col, []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(dl)
			legend.Add("paper: "+pub.Row, dl)
		}
	}
	p.X.Tick.Marker = ticks
	p.X.Min, p.X.Max = 0.8, float64(len(ticks))+0.2
	return saveLegendFigure(path, r.Experiment+": SS AUC per layer, "+nodes+" nodes", p, legend, aucPlotWidth*0.7, aucPlotHeight)
}

// audioROCFigure writes the ROC curves of row's best SS layer of each
// node design, TD (the table's metric) and DU (CER).
func (r *Results) audioROCFigure(path string, row AudioRow) error {
	p, err := newROCPlot()
	if err != nil {
		return err
	}
	legend := newSideLegend("detector")
	type curve struct {
		name       string
		clean, adv []float64
		auc        float64
	}
	var curves []curve
	for _, c := range row.Columns {
		if i := bestSS(row, c); i >= 0 {
			s := row.Layers[i].Scan(c)
			curves = append(curves, curve{"SS " + c.Nodes + " " + row.Layers[i].Layer, s.Clean, s.Adversarial, s.AUC})
		}
	}
	curves = append(curves, curve{"TD (" + row.TD.Used + ")", row.TD.Clean[row.TD.Used], row.TD.Adv[row.TD.Used], row.TD.AUC[row.TD.Used]},
		curve{"DU (CER)", row.DU.Clean, row.DU.Adv, row.DU.AUC})
	for k, c := range curves {
		fpr, tpr := ROC(c.clean, c.adv)
		xy := make(plotter.XYs, len(fpr))
		for i := range fpr {
			xy[i] = plotter.XY{X: fpr[i], Y: tpr[i]}
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("report: audio ROC figure, row %s: %w", row.Name, err)
		}
		line.Color, line.Width = plotutil.Color(k), vg.Points(1.5)
		p.Add(line)
		legend.Add(fmt.Sprintf("%s (AUC %.3f)", c.name, c.auc), line)
	}
	return saveLegendFigure(path, fmt.Sprintf("%s: ROC, %s", r.Experiment, row.Name), p, legend, rocPlotSize, rocPlotSize)
}

// audioExampleFigure writes the example's clean and adversarial waveforms
// and their difference, each over its log spectrogram.
func (r *Results) audioExampleFigure(path string, ex *AudioExample) error {
	if len(ex.Clean) != len(ex.Adversarial) || len(ex.Clean) < spectrumFrame || ex.Rate < 1 {
		return fmt.Errorf("report: audio example of %d and %d samples at %d Hz", len(ex.Clean), len(ex.Adversarial), ex.Rate)
	}
	delta := make([]float32, len(ex.Clean))
	for i, v := range ex.Adversarial {
		delta[i] = v - ex.Clean[i]
	}
	sigs := []struct {
		name string
		x    []float32
	}{{"clean", ex.Clean}, {"adversarial", ex.Adversarial}, {"perturbation", delta}}
	var panels []*plot.Plot
	for _, s := range sigs {
		panels = append(panels, waveformPanel(s.name, s.x, ex.Rate))
	}
	for _, s := range sigs {
		sp, err := spectrogramPanel(s.name, s.x, ex.Rate)
		if err != nil {
			return err
		}
		panels = append(panels, sp)
	}
	title := fmt.Sprintf("%s: %q attacked towards %q, dB_x %.1f", ex.Row, ex.Transcript, ex.Target, ex.DBx)
	return saveTiles(path, title, panels, 3, 3.4*vg.Inch, 2.6*vg.Inch)
}

// waveformPanel plots x against time.
func waveformPanel(name string, x []float32, rate int) *plot.Plot {
	p := plot.New()
	p.Title.Text = name
	p.X.Label.Text = "time (s)"
	xy := make(plotter.XYs, len(x))
	for i, v := range x {
		xy[i] = plotter.XY{X: float64(i) / float64(rate), Y: float64(v)}
	}
	line, _ := plotter.NewLine(xy) // finite by construction
	line.Color = color.RGBA{R: 30, G: 60, B: 160, A: 255}
	line.Width = vg.Points(0.5)
	p.Add(line)
	return p
}

// Spectrograms: Hann windows of spectrumFrame samples every spectrumHop.
const (
	spectrumFrame = 256
	spectrumHop   = 64
)

// spectrogram is the log power of x's short-time spectra, a plotter.GridXYZ.
type spectrogram struct {
	z          [][]float64 // [frame][bin], dB
	rate       int
	frames, nb int
}

func (s *spectrogram) Dims() (c, r int)   { return s.frames, s.nb }
func (s *spectrogram) Z(c, r int) float64 { return s.z[c][r] }
func (s *spectrogram) X(c int) float64 {
	return (float64(c*spectrumHop) + spectrumFrame/2) / float64(s.rate)
}
func (s *spectrogram) Y(r int) float64 { return float64(r*s.rate) / spectrumFrame }

// newSpectrogram computes the spectrogram of x, its power in dB floored
// 90 dB below its peak (so silence and −Inf do not stretch the colours).
func newSpectrogram(x []float32, rate int) *spectrogram {
	fft := fourier.NewFFT(spectrumFrame)
	win := make([]float64, spectrumFrame)
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/spectrumFrame)
	}
	s := &spectrogram{rate: rate, frames: 1 + (len(x)-spectrumFrame)/spectrumHop, nb: spectrumFrame/2 + 1}
	buf := make([]float64, spectrumFrame)
	peak := math.Inf(-1)
	for f := range s.frames {
		for i := range buf {
			buf[i] = float64(x[f*spectrumHop+i]) * win[i]
		}
		c := fft.Coefficients(nil, buf)
		row := make([]float64, s.nb)
		for k, v := range c {
			row[k] = 10 * math.Log10(real(v)*real(v)+imag(v)*imag(v)+1e-20)
			peak = max(peak, row[k])
		}
		s.z = append(s.z, row)
	}
	for _, row := range s.z {
		for k, v := range row {
			row[k] = max(v, peak-90)
		}
	}
	return s
}

// spectrogramPanel plots x's spectrogram as a heat map.
func spectrogramPanel(name string, x []float32, rate int) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = name + ", spectrogram (dB)"
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = "Hz"
	hm := plotter.NewHeatMap(newSpectrogram(x, rate), moreland.SmoothBlueRed().Palette(64))
	p.Add(hm)
	return p, nil
}
