package mnistc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"subsetscan/data"
)

// TestReference compares the deterministic parts of the corruptions with
// the library routines corruptions.py (google-research/mnist-c) calls,
// applied to the first two MNIST test digits by testdata/gen_reference.py
// (scikit-image 0.19.3, scipy 1.10.1, ImageMagick 6.9.11-60; see the script
// for how to run it) and stored in testdata/reference.npz as float32.
func TestReference(t *testing.T) {
	ref, err := data.ReadNPZ(filepath.Join("testdata", "reference.npz"))
	if err != nil {
		t.Fatal(err)
	}
	digits := testDigits(t, 2)
	if err := compare(ref["clean"], digits, 0); err != nil {
		t.Fatalf("clean: %v", err)
	}
	// float32 storage: 6e-8 relative; the warps and smoothings sum a few
	// products in another order, far below that.
	const tol = 1e-6
	for _, tc := range []struct {
		key string
		k   kernel
		tol float64
	}{
		{"scale", scale, tol},
		{"shear+0.4", warpKernel(shearMap(0.4)), tol},
		{"shear-0.4", warpKernel(shearMap(-0.4)), tol},
		{"rotate+0.4", warpKernel(rotateMap(0.4)), tol},
		{"rotate-0.4", warpKernel(rotateMap(-0.4)), tol},
		{"translate+3-3", warpKernel(affine{1, 0, 3, 0, 1, -3}), tol},
		{"brightness", brightness, tol},
		{"canny", cannyEdges, 0},
		{"smooth0.7-columns", correlateKernel(glassKernel, 0), tol},
		{"smooth1", gaussKernelOf(spatterKernel), tol},
		{"smooth1.5", gaussKernelOf(spatterMaskKernel), tol},
		// ImageMagick writes 8 bits, and motionBlur rounds to them too.
		{"motion+30", motionKernelAt(30), tol},
		{"motion-20", motionKernelAt(-20), tol},
	} {
		t.Run(tc.key, func(t *testing.T) {
			want := ref[tc.key]
			if want == nil {
				t.Fatalf("no %q in reference.npz", tc.key)
			}
			got := data.NewArray(digits.Len(), Side, Side)
			w := newWork()
			for i := range digits.Len() {
				run(tc.k, w, got.Row(i), digits.Row(i), nil)
			}
			if err := compare(want, got, tc.tol); err != nil {
				t.Error(err)
			}
		})
	}
}

// compare returns an error describing the values of got that differ from
// want by more than tol.
func compare(want, got *data.Array, tol float64) error {
	if len(want.Data) != len(got.Data) {
		return fmt.Errorf("%d values, want %d", len(got.Data), len(want.Data))
	}
	n, worst, at := 0, 0.0, 0
	for i := range want.Data {
		if d := math.Abs(float64(got.Data[i] - want.Data[i])); !(d <= tol) {
			n++
			if d > worst || math.IsNaN(d) {
				worst, at = d, i
			}
		}
	}
	if n > 0 {
		return fmt.Errorf("%d values differ by more than %g; worst: image %d pixel (%d, %d): got %v, want %v",
			n, tol, at/Pixels, at%Pixels/Side, at%Side, got.Data[at], want.Data[at])
	}
	return nil
}

func warpKernel(m affine) kernel {
	return func(_ *work, dst, src []float64, _ *rand.Rand) { warp(dst, src, m) }
}

func correlateKernel(k []float64, axis int) kernel {
	return func(_ *work, dst, src []float64, _ *rand.Rand) { correlate(dst, src, k, axis, nearest) }
}

func gaussKernelOf(k []float64) kernel {
	return func(w *work, dst, src []float64, _ *rand.Rand) { gaussian(dst, src, w.c, k, nearest) }
}

// motionKernelAt is motionBlur at a fixed angle in degrees.
func motionKernelAt(degrees float64) kernel {
	return func(_ *work, dst, src []float64, _ *rand.Rand) { motionBlurAt(dst, src, degrees*math.Pi/180) }
}
