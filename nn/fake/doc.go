// Package fake detects generated ("fake") MNIST digits: the supervised
// detectors and the published baselines that the SubsetGAN analog of
// issue 10 is compared with, and the data they share.
//
// # Data
//
// NewSplit draws, from one seed, a disjoint split of real MNIST images:
// Train, real images of the MNIST training set on which the detectors
// here are trained; and three disjoint parts of the MNIST test set, which
// no detector here and no model of the project was trained on:
// Background (the clean activations a subset scan compares with),
// Clean (the real images every detector and scan is scored on, the
// negatives of every AUC) and Eval (real images kept for the scans' test
// groups, such as the clean part of a contaminated group, and the sources
// that an editing generator's held-out fakes edit). Fakes come
// from named generators (Generator: "TS", the GAN of nn/gan, GAN; "AE",
// the StarGAN editor of nn/gan, Editor): a training pool and
// held-out sets drawn from disjoint seeds (Seed), so no held-out fake was
// seen in training.
//
// # Detectors
//
// A Detector scores images, higher meaning more likely generated:
//
//   - Net: a network trained here on real (Split.Train) against fake
//     (the training pool) images, architectures "fake-resnet" (residual
//     blocks, Add) and "fake-squeezenet" (fire modules, Concatenate),
//     scored by its fake logit minus its real logit;
//   - FakeSpotter (Wang et al., IJCAI 2020): per layer of a recogniser
//     (here the project's MNIST classifier), the share of neurons whose
//     activation exceeds the layer's threshold, the mean activation of
//     the layer over the real training images, as a feature vector; a
//     logistic regression (LogReg) on those features of real and fake
//     training images;
//   - AutoGAN (Zhang, Karaman and Chang, WIFS 2019): a classifier
//     ("autogan-cls") of the log-magnitude 2-D DFT (Spectrum) of an
//     image, trained on real images against the outputs of a GAN
//     simulator ("autogan-sim", an autoencoder whose decoder up-samples
//     and convolves as the GAN's generator does) trained to reproduce
//     real images: it never sees a GAN's fakes.
//
// Detectors loads the trained ones from a models directory and fits
// FakeSpotter; Evaluate scores the clean real images and each held-out
// set of fakes (HeldOutSets) with a detector, returning the per-image
// scores with the AUC and its DeLong interval.
//
// Scoring is deterministic and does not depend on the number of workers;
// so is training (nn.Model.Train's fixed-order reduction and FitLogReg's
// serial Newton iterations).
package fake
