// Package mnistc implements the 15 corruptions of MNIST-C (Mu and Gilmer
// 2019, "MNIST-C: A Robustness Benchmark for Computer Vision",
// arXiv:1906.02337; Figure 1 shows one example of each), used to model
// acquisition shift in out-of-distribution experiments.
//
// Every corruption maps one 28×28 image with values in [0, 1] to another,
// computing in float64 and returning float32. The benchmark applies each
// corruption at one fixed severity, and the numeric parameters below are
// those of the reference implementation, corruptions.py of the repository
// google-research/mnist-c, at the severity its function uses by default
// (the severity of the published data set); the names in parentheses are
// the functions of that file. The paper describes the corruptions but the
// parameters are read from the code.
//
// # Corruptions
//
// In the order of Names (the CORRUPTIONS list of corruptions.py, without
// identity):
//
//	shot_noise     v → Poisson(3v)/3                          shot_noise, severity 5
//	impulse_noise  17% of the pixels → 0 or 1, half each      impulse_noise, severity 4
//	glass_blur     smooth σ 0.7, 8 bits, 2 passes of random   glass_blur, severity 1
//	               swaps with a neighbour at (−1|0, −1|0),
//	               smooth σ 0.7
//	motion_blur    one-sided Gaussian, 21 taps, σ 3 pixels,   motion_blur, severity 1
//	               angle uniform in [−45°, 45°)               (ImageMagick MotionBlurImage)
//	shear          shear ±0.4 about the centre (13.5, 13.5)   shear, severity 2
//	scale          shrink to 70% about the centre             scale, severity 3
//	rotate         rotate ±0.4 rad about the centre           rotate, severity 2
//	brightness     v → min(v + 0.5, 1)                        brightness, severity 5
//	translate      shift by ±3 pixels on each axis            translate, severity 3
//	stripe         invert columns 0–6 and 21–27               stripe
//	fog            v + 3·plasma (wibble decay 1.4), scaled    fog and plasma_fractal, severity 5
//	               by max/(max + 3)
//	spatter        mud blobs of value 63/255 from smoothed    spatter, severity 4
//	               N(0.65, 0.3²) noise (σ 1, threshold 0.65,
//	               mask σ 1.5, mask ≥ 0.8)
//	dotted_line    dashed line from (r0, 0) to (r1, 27)       dotted_line and line_from_points
//	zigzag         zigzag of legs 2 and amplitude 2 about a   zigzag and line_from_points
//	               line from column 2 to 25
//	canny_edges    Canny edge map, σ 1, thresholds 0.1, 0.2   canny_edges (scikit-image feature.canny)
//
// The constants of each file give the parameters with their sources; the
// doc comment of each function describes what it does in detail.
//
// # Randomness
//
// A corruption draws from the *rand.Rand it is given; shear, rotate and
// translate draw only signs, scale, brightness, stripe and canny_edges draw
// nothing. Apply corrupts image i of a batch with Rand(seed, name, i), a
// PCG stream fixed by the seed, the corruption's name and i, so that a
// batch's result does not depend on the order of the images, on the number
// of workers or on the other corruptions applied.
//
// # Differences from the reference
//
// The corruptions follow the reference's algorithms and parameters but do
// not reproduce its images bit for bit:
//
//   - The random draws come from math/rand/v2's PCG, not numpy's Mersenne
//     Twister, and in a different order, so the images follow the same
//     distribution as the published data set but are not the same images.
//   - Values are float32 in [0, 1], not rounded to 8 bits; the reference
//     returns float32 values in [0, 255]. The 8-bit roundings inside a
//     corruption are kept: glass_blur's np.uint8 after the first smoothing
//     and motion_blur's PNG round trip.
//   - impulse_noise decides independently for each pixel whether it is
//     replaced and by which value, as scikit-image's random_noise (mode
//     "s&p") does with its two per-pixel boolean draws; the order of the
//     draws differs.
//   - glass_blur smooths down the columns only. This is what the reference
//     does, not a choice here: its images are 2-D (grayscale PIL images from
//     torchvision's MNIST, as in visualize_corruptions.ipynb), and it passes
//     multichannel=True to scikit-image's gaussian, which then takes the
//     columns for colour channels and gives them sigma 0 (gaussian in
//     skimage/filters/_gaussian.py of the releases of 2019).
//     TestReferenceStats tells the two apart.
//   - motion_blur reimplements ImageMagick's MotionBlurImage
//     (MagickCore/effect.c, which corruptions.py calls through Wand): the
//     offsets of the taps are rounded as ceil(x − 0.5) and the image is
//     read past its edges as the edge pixel (the default virtual-pixel
//     method). At a given angle it matches ImageMagick 6.9.11's
//     -motion-blur 10x3 exactly on the digits of TestReference.
//   - shear, scale, rotate and translate resample as scikit-image's warp
//     does by default (bilinear, zeros outside), with the matrices of its
//     AffineTransform up to at least version 0.19 (shear s is
//     [[1, −sin s], [0, cos s]]; newer releases may define it otherwise).
//   - brightness uses the closed form min(v + 0.5, 1) of the reference's
//     gray → RGB → HSV → RGB → gray round trip, equal up to rounding.
//   - canny_edges reimplements scikit-image's canny (Gaussian smoothing
//     with zeros outside divided by the smoothing of ones, Sobel, non-maximum
//     suppression with interpolation between neighbours, hysteresis on
//     8-connected components); results could differ only where magnitudes
//     tie to rounding.
//   - line_from_points' column range is clipped to the image; the
//     reference's negative slice would wrap around, which its own end
//     points never cause.
//   - identity, the clean set of the benchmark, is not a corruption here.
//
// # Checks against the reference
//
// TestReference checks the deterministic parts (the four warps at fixed
// signs, brightness, canny_edges, the Gaussian smoothings, and motion blur
// at fixed angles) against scikit-image 0.19.3 and ImageMagick 6.9.11 on two
// digits, through testdata/reference.npz, which testdata/gen_reference.py
// writes; all agree to float32 precision. TestReferenceStats compares four
// statistics of the random corruptions of 500 digits (mean, fraction of
// pixels changed, mean absolute change, standard deviation) with those of
// corruptions.py itself, run by testdata/gen_stats.py; they agree within
// 2.3%, and 4.4% for fog and spatter, over seeds 1 to 8.
//
// # Reports
//
// WriteGrid draws a labelled contact sheet (one row per corruption: the
// clean digit, then corrupted copies) for an experiment's report.
package mnistc
