// Package gan trains generative adversarial networks built from nn models,
// and measures how close their samples are to real data.
//
// A GAN is two models trained against each other (Goodfellow et al. 2014):
// a generator G, mapping a latent vector z to a sample, and a
// discriminator D, mapping a sample to a logit that it is real. Train fits
// both by mini-batch gradient descent with the non-saturating loss: D
// minimises the binary cross-entropy of its logits on real samples
// (target 1) and generated ones (target 0); G minimises the cross-entropy
// of D(G(z)) against 1, −log σ(D(G(z))), whose gradient does not vanish
// when D rejects the samples confidently, as that of log(1 − σ(D(G(z))))
// would. Both use Adam with DCGAN's settings (Radford et al. 2016: learning
// rate 2e-4, β₁ 0.5). G's gradient is D's gradient w.r.t. its input,
// back-propagated through G (nn.GradientOptions.Input).
//
// Training is deterministic: the shuffling of the real samples and the
// latent vectors come from PCG generators seeded with Options.Seed, and
// nn.Model.Gradients reduces gradients in a fixed order, so the same seed
// gives the same weights bit for bit whatever the number of workers.
//
// The pieces are exposed for variants: a Trainer's Step does one update of
// both models on a batch of real samples and a batch of generator inputs,
// with a Loss that says how D's outputs are scored.
//
// StarGAN (Choi et al. 2018) is such a variant: an attribute-editing
// generator whose input is an image with the label planes of a target
// domain concatenated to its channels (WithDomains), against a
// discriminator whose outputs are a realness logit and domain logits.
// TrainStarGAN and StarGAN.Step train it with StarGAN's adversarial,
// domain-classification and reconstruction losses, sharing Train's loop
// and Step's update; EvaluateEdits measures how often edits reach their
// target domain. The registered stargan_g and stargan_d edit the stroke
// thickness of MNIST digits (data.ClassInkEdges).
//
// FrechetDistance is the Fréchet distance between Gaussians fitted to two
// sets of features, the FID of Heusel et al. 2017 when the features are an
// Inception network's; Evaluate computes it on the penultimate features of
// an MNIST classifier.
package gan
