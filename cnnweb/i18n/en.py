"""English UI strings (the reference catalogue; zh.py has the same keys and placeholders)."""

MESSAGES = {
    # ---------------------------------------------------------------- app: navigation, sidebar
    "app.title": "cnnweb: learn CNNs by playing",
    "nav.home": "Home",
    "nav.explainer": "Explainer",
    "nav.lessons": "Lessons",
    "nav.trainer": "Trainer",
    "nav.gallery": "Gallery",
    "nav.predict": "Predict",
    "app.present": "Presentation view",
    "app.present_help": "Large text and charts for a projector, fewer controls, sidebar "
                        "collapsed. Kept in the link (?present=true).",

    # ---------------------------------------------------------------- Home
    "home.intro": "Learn convolutional neural networks by playing with them: see what a "
                  "convolution does to an image, train a network and watch it learn, compare "
                  "architectures, and ask a trained model what it sees in your drawing.",
    "home.card_explainer": "Stack conv and pooling layers and see output shapes, parameters, "
                           "multiply-adds and receptive fields with the formulas worked out; "
                           "step a kernel over a grid; max vs average pooling and classic "
                           "filters on real pictures.",
    "home.card_lessons": "Guided lessons for a class, step by step with live widgets: two 3×3 "
                         "vs one 5×5, SAME vs VALID padding, CBAPD, and how dropout fixed an "
                         "overfitting CIFAR model.",
    "home.card_trainer": "Train a CNN on MNIST or CIFAR-10 in the background with live loss and "
                         "accuracy curves, an overfitting diagnosis in words, run history and "
                         "confusion matrices.",
    "home.card_gallery": "Every architecture from the tutorials and every trained model: layer "
                         "tables, parameter counts, diagrams and the curves of the run that "
                         "made it.",
    "home.card_predict": "Draw a digit or upload pictures and see the top guesses, the exact "
                         "input the model sees, its feature maps and a Grad-CAM heat map.",
    "home.lessons": "Start a lesson",
    "home.lessons_caption": "Guided lessons from the tutorials, one step after another.",
    "home.views_caption": "Or open the Explainer on a ready-made view:",
    "home.view_mnist": "The tutorial's MNIST network, layer by layer",
    "home.view_vgg": "Why VGG16's last pool sees 212 pixels",
    "home.view_sliding": "A kernel sliding over a grid, one step at a time",
    "home.view_pooling": "Edges, blur and pooling on a photo",
    "home.computer": "This computer",
    "home.cpu_note": "Training runs on the CPU: the tutorials' small networks take seconds to a "
                     "minute per epoch; deeper ones (ResNet-style) are much slower.",
    "home.datasets": "Datasets",
    "home.datasets_error": "Datasets could not be listed: {error}",
    "home.ds_missing": ":material/cancel: **{title}**: not found. {source}",
    "home.ds_sample": ":material/science: **{title}**: only the small sample shipped with the "
                      "app ({n_train:,} training / {n_test:,} test images): fine for trying "
                      "things, too small for good accuracy.",
    "home.ds_hint": "Full datasets: put mnist.npz or cifar10.npz in data/, or point "
                    "CNNWEB_DATA_DIR at a folder holding them.",
    "home.models": "Trained models",
    "home.models_error": "Models could not be listed: {error}",
    "home.no_models": "No trained models yet: train one in the Trainer.",
    "home.shipped": "shipped",
    "home.yours": "yours",
    "home.ready": "ready",
    "home.see_gallery": "See them in the Gallery",
    # table columns shared by several pages
    "col.model": "model",
    "col.arch": "architecture",
    "col.dataset": "dataset",
    "col.test_acc": "test accuracy",
    "col.from": "from",
    "col.status": "status",
    # ---------------------------------------------------------------- cnnweb.diagnose verdicts
    "diag.verdict.too early": "too early",
    "diag.verdict.diverged": "diverged",
    "diag.verdict.overfitting": "overfitting",
    "diag.verdict.underfitting": "underfitting",
    "diag.verdict.learning": "learning",
    "diag.verdict.good": "good",
    "diag.verdict.no validation": "no validation",
    "diag.rem.early_stopping": "Early stopping: the best model was at epoch {epoch} (validation "
                               "loss {loss:.3f}); train for {epoch} epochs, or turn on early "
                               "stopping with patience 2 so the weights of the best epoch are "
                               "kept.",
    "diag.rem.add_dropout": "Dropout: add dropout (e.g. 0.4). In seed 002, Dropout(0.4) plus 15 "
                            "epochs lifted CIFAR-10 test accuracy from 71.17% to 73.29%.",
    "diag.rem.raise_dropout": "Dropout: raise it from {old:g} to {new:g}.",
    "diag.rem.augment": "Data augmentation: turn it on (random shifts, and flips for CIFAR-10), "
                        "so the model never sees exactly the same image twice.",
    "diag.rem.why_sample": " (the shipped sample)",
    "diag.rem.why_limit": " (--limit)",
    "diag.rem.more_data_n": "More data: this run trained on only {n:,} images{why}; the full "
                            "dataset is the best regulariser.",
    "diag.rem.more_data": "More data: this run trained on only images{why}; the full dataset is "
                          "the best regulariser.",
    "diag.rem.weight_decay": "Weight decay: e.g. 1e-4 (AdamW) keeps the weights small.",
    "diag.rem.batchnorm": "Batch normalization: an architecture with BatchNormalization (seed "
                          "004's BN + LeakyReLU net reached 73.79% on CIFAR-10) trains more "
                          "stably and regularises a little.",
    "diag.rem.smaller": "A smaller model: fewer filters or dense units leave less room to "
                        "memorise.",
    "diag.diverged": "Training diverged at epoch {epoch}: the loss became NaN or exploded.",
    "diag.diverged_batch": "Training diverged at epoch {epoch} batch {batch}: the loss became NaN "
                           "or exploded.",
    "diag.rem.lower_lr": "Lower the learning rate (try {new:g} instead of {old:g}).",
    "diag.rem.lower_lr_10x": "Lower the learning rate by 10x.",
    "diag.rem.use_bn": "Use an architecture with BatchNormalization, which keeps activations in "
                       "range.",
    "diag.rem.adam": "With SGD, switch to Adam, which adapts the step size per weight.",
    "diag.too_early": "Too early to judge: wait for at least two epochs.",
    "diag.no_validation": "No validation data, so overfitting cannot be seen: set a validation "
                          "split above 0.",
    "diag.marker_overfit": "overfitting from epoch {epoch}",
    "diag.val_rose": "Validation loss was lowest at epoch {best} ({best_loss:.3f}) and rose to "
                     "{last_loss:.3f} by epoch {n}, while training loss kept falling "
                     "({train_best:.3f} -> {train_last:.3f}).",
    "diag.gap_grew": "The gap between training and validation accuracy is {gap:.1%} (it was "
                     "{gap_best:.1%} at epoch {best}).",
    "diag.overfitting": "Overfitting from epoch {epoch}: the model is memorising the training "
                        "images instead of learning what generalises.",
    "diag.underfitting": "Underfitting: training accuracy is only {acc:.1%} and flat; the model "
                         "is not learning the training images well.",
    "diag.val_vs_chance": "Validation accuracy {acc:.1%}; chance is {chance:.1%}.",
    "diag.rem.train_longer": "Train longer, or with a learning rate that moves (with SGD try "
                             "0.01-0.1; with Adam 1e-3).",
    "diag.rem.less_dropout": "Less regularisation: lower dropout from {p:g}.",
    "diag.rem.less_wd": "Less regularisation: lower or remove the weight decay.",
    "diag.rem.bigger": "A bigger model: more filters or another conv block.",
    "diag.rem.bn_deeper": "Batch normalization helps deeper nets train at all.",
    "diag.learning": "Still improving: validation loss is at its lowest so far ({loss:.3f}) "
                     "after epoch {n}; no sign of overfitting yet.",
    "diag.rem.more_epochs": "More epochs would probably help; watch for validation loss turning "
                            "up.",
    "diag.good": "No clear overfitting: validation loss is lowest at epoch {best} and has not "
                 "risen meaningfully since.",
    "diag.rem.stop_at_best": "Epoch {best} had the best validation loss; early stopping there "
                             "would keep that model.",
    "diag.gap": "Train/validation accuracy gap: {gap:.1%}.",
    "diag.title": "Diagnosis: {verdict}",
    "diag.try": "What to try",
    # ---------------------------------------------------------------- Lessons
    "les.title": "Lessons",
    "les.pick": "Lesson",
    "les.kernel_size": "Kernel size",
    "les.in_channels": "Input channels",
    "les.stride": "Stride",
    "les.stacked3x3.title": "Two 3×3 convolutions beat one 5×5",
    "les.stacked3x3.intro": "From seed 000: \"two layers of 3×3 kernels (20 parameters) extract "
                            "features as well as one 5×5 layer (26 parameters); in general two "
                            "3×3 layers are better than one 5×5.\" Let us check every number.",
    "les.stacked3x3.s1": "What one kernel costs",
    "les.stacked3x3.s1_text": "A kernel has one weight per cell and per input channel, plus one "
                              "bias. The seed's examples: 3×3×1 → 10, 3×3×3 → 28, 5×5×3 → 76. "
                              "Change the size and the channels:",
    "les.stacked3x3.s2": "Two 3×3 layers see a 5×5 window",
    "les.stacked3x3.s2_text": "Each output cell of the second 3×3 layer reads 3×3 cells of the "
                              "first, and each of those reads 3×3 input pixels: together a 5×5 "
                              "patch, the receptive field of one 5×5 kernel. The numbers below "
                              "count the paths from each input pixel to one output cell.",
    "les.stacked3x3.n": "Stacked 3×3 layers",
    "les.stacked3x3.after_layer": "after layer {i}: **{size}×{size}**",
    "les.stacked3x3.paths_stacked": "{n} stacked 3×3: paths to one output",
    "les.stacked3x3.paths_single": "one {big}×{big}: each pixel once",
    "les.stacked3x3.paths_caption": "The stack counts the centre pixel {centre} times and the "
                                    "corners once: it looks hardest at the middle of its window.",
    "les.stacked3x3.s3": "Count the parameters",
    "les.stacked3x3.s3_text": "Same window, fewer weights. With one input and one output "
                              "channel this is the seed's 20 vs 26; with more channels the "
                              "saving grows with them.",
    "les.stacked3x3.channels": "Channels (in = out)",
    "les.stacked3x3.m_stacked": "{n} stacked 3×3",
    "les.stacked3x3.m_single": "one {big}×{big}",
    "les.stacked3x3.m_saved": "parameters saved",
    "les.stacked3x3.why": "Why the stack wins: **fewer parameters** for the same {big}×{big} view, "
                          "**{n} activations** (ReLU) instead of one, so it can draw more "
                          "complicated shapes, and more weight on the centre. This is why VGG "
                          "uses only 3×3 kernels.",
    "les.stacked3x3.s4": "Try it yourself",
    "les.stacked3x3.s4_text": "The Explainer has the same comparison for any channel count, and "
                              "a layer table to stack your own.",
    "les.stacked3x3.link": "Open the comparison in the Explainer",
    "les.padding.title": "SAME vs VALID padding",
    "les.padding.intro": "From seeds 000 and 003: with padding='SAME' (全零填充, zero padding) "
                         "the output side is input / stride; with padding='VALID' (no padding) "
                         "it is (input − kernel + 1) / stride, both rounded up.",
    "les.padding.s1": "The seed's two formulas",
    "les.padding.s1_text": "Pick an input size, a kernel size and a stride. The big numbers come "
                           "from the same arithmetic Keras uses; the formulas are the seed's.",
    "les.padding.n": "Input size n",
    "les.padding.same": "SAME (zero padding)",
    "les.padding.valid": "VALID (no padding)",
    "les.padding.agree": "Both formulas agree with Keras's ⌊(n + zeros − k) / s⌋ + 1. SAME adds "
                         "{before} zero(s) before and {after} after on each axis.",
    "les.padding.s2": "Where the zeros go",
    "les.padding.s2_text": "The kernel (orange) in its first position. Grey cells are the zero "
                           "border that SAME adds; VALID has none, so the kernel must fit inside "
                           "the picture and the edge pixels are visited less often.",
    "les.padding.too_big": "The kernel is larger than the input: VALID has no output at all.",
    "les.padding.s3": "Through many layers",
    "les.padding.s3_text": "Stack stride-1 convolutions with the kernel size above: SAME keeps "
                           "the size, VALID loses k − 1 pixels per layer.",
    "les.padding.input": "Input size",
    "les.padding.depth": "Layers",
    "les.padding.layer": "layer",
    "les.padding.layers_end": "After {depth} layers of {k}×{k}: **{same}** pixels per side with "
                              "SAME, **{valid}** with VALID.",
    "les.cbapd.title": "CBAPD: the five building blocks",
    "les.cbapd.intro": "Seed 003: \"what is a convolution? A feature extractor, that is CBAPD\": "
                       "Convolution, Batch normalization, Activation, Pooling, Dropout.",
    "les.cbapd.s1": "The five blocks",
    "les.cbapd.s1_text": "- **C** Conv2D (卷积): kernels slide over the picture and extract "
                         "features.\n- **B** BatchNormalization (批标准化): each batch rescaled to "
                         "mean 0 and standard deviation 1, then a learned scale and shift.\n- **A** "
                         "Activation (激活), e.g. ReLU: negative responses become 0.\n- **P** "
                         "Pooling (池化): max pooling keeps texture, average pooling keeps the "
                         "background; the map gets smaller.\n- **D** Dropout (舍弃): during "
                         "training, a share of the units is switched off at random.",
    "les.cbapd.s2": "The seed's block in Keras",
    "les.cbapd.s2_text": "Seed 000's baseline on a 32×32×3 CIFAR-10 picture: Conv2D(6, 5×5, "
                         "same) → BN → ReLU → MaxPool2D(2, 2, same) → Dropout(0.2). Shapes and "
                         "parameters computed live:",
    "les.cbapd.filters": "Filters (kernels)",
    "les.cbapd.rate": "Dropout rate",
    "les.cbapd.block": "block",
    "les.cbapd.shape": "output shape",
    "les.cbapd.params": "parameters",
    "les.cbapd.total": "{params:,} parameters in the block; half of BatchNormalization's are "
                       "moving means and variances that are not trained.",
    "les.cbapd.C": "convolution",
    "les.cbapd.B": "batch norm",
    "les.cbapd.A": "activation",
    "les.cbapd.P": "pooling",
    "les.cbapd.D": "dropout",
    "les.cbapd.s3": "Watch a picture go through",
    "les.cbapd.s3_text": "One kernel of the block applied to a real picture (in grey), block by "
                         "block.",
    "les.cbapd.picture": "Picture",
    "les.cbapd.kernel": "Kernel",
    "les.cbapd.new_mask": "New dropout mask",
    "les.cbapd.picture_text": "C finds edges (blue +, red −); B centres them around 0; A keeps "
                              "only the positive responses; P halves the size and keeps the "
                              "strongest; D blanks random cells while training (the others are "
                              "scaled up so the total stays the same).",
    "les.cbapd.s4": "CBAPD everywhere",
    "les.cbapd.s4_text": "Seed 003 writes VGG16's 13 conv layers as CBA CBAPD CBA CBAPD CBA CBA "
                         "CBAPD CBA CBA CBAPD CBA CBAPD CBAPD: the same five blocks, repeated. The "
                         "Gallery shows VGG16 and the other classic networks layer by layer.",
    "les.overfit.title": "Why my CIFAR model overfit, and how dropout fixed it",
    "les.overfit.intro": "Seed 002 trained a small CNN on CIFAR-10 and missed its goal of 72% "
                         "test accuracy. More epochs made it worse. Adding layers.Dropout(0.4) "
                         "reached it.",
    "les.overfit.s1": "What happened in the seed",
    "les.overfit.s1_text": "The training accuracy kept climbing while the validation accuracy "
                           "stalled: the model memorised the training images (过拟合, "
                           "overfitting). Dropout plus 15 epochs closed the gap.",
    "les.overfit.before": "{epochs} epochs, no dropout",
    "les.overfit.after": "Dropout({rate:g}), {epochs} epochs",
    "les.overfit.target": "the seed's goal",
    "les.overfit.s2": "See it happen: our own run of the seed's recipe",
    "les.overfit.s2_text": "The shipped model seed002_cifar_cnn was trained here with the seed's "
                           "settings. Move the slider to stop training earlier and watch the "
                           "verdict of cnnweb's diagnosis change.",
    "les.overfit.missing": "The shipped model's curves cannot be read: {error}",
    "les.overfit.upto": "Stop after epoch",
    "les.overfit.ours": "Our run: {acc:.2%} test accuracy after {epochs} epochs.",
    "les.overfit.s3": "What dropout does",
    "les.overfit.s3_text": "During training each unit is switched off with the dropout "
                           "probability, a new random choice for every batch, so no unit can "
                           "rely on another being there. The units that stay are scaled up; at "
                           "prediction time nothing is dropped.",
    "les.overfit.rate": "Dropout rate",
    "les.overfit.kept": "**{kept}** of {total} units kept, each multiplied by 1 / (1 − rate) = "
                        "**{scale:.2f}**.",
    "les.overfit.mask": "one batch's mask: 0 = dropped",
    "les.overfit.s4": "Try it yourself",
    "les.overfit.s4_text": "In the Trainer, the presets \"Seed 002: CIFAR CNN, 10 epochs "
                           "(overfits)\" and \"Seed 002 remedy: Dropout 0.4, 15 epochs\" rerun "
                           "both halves of the story; \"Overfitting in one minute\" shows it fast "
                           "on 2,000 images.",
    "les.overfit.link": "Open the Trainer",
    # words that are data elsewhere (filter and picture names, chart labels)
    "term.loss": "loss",
    "term.accuracy": "accuracy",
    "term.train": "train",
    "term.validation": "validation",
    "term.epoch": "epoch",
    "term.identity": "identity",
    "term.box blur": "box blur",
    "term.gaussian blur": "gaussian blur",
    "term.sharpen": "sharpen",
    "term.edges (laplacian)": "edges (laplacian)",
    "term.outline": "outline",
    "term.sobel x (vertical edges)": "sobel x (vertical edges)",
    "term.sobel y (horizontal edges)": "sobel y (horizontal edges)",
    "term.emboss": "emboss",
    "term.random digits": "random digits",
    "term.vertical edge": "vertical edge",
    "term.diagonal line": "diagonal line",
    "term.checkerboard": "checkerboard",
    "term.ramp": "ramp",
    "term.random -1..1": "random -1..1",
    "term.all ones": "all ones",
    "term.CIFAR-10 test #8: ship": "CIFAR-10 test #8: ship",
    "term.CIFAR-10 test #4: horse": "CIFAR-10 test #4: horse",
    "term.CIFAR-10 test #1: truck": "CIFAR-10 test #1: truck",
    "term.CIFAR-10 test #6: cat": "CIFAR-10 test #6: cat",
    "term.CIFAR-10 test #17: airplane": "CIFAR-10 test #17: airplane",
    "term.CIFAR-10 test #0: frog": "CIFAR-10 test #0: frog",
    "term.MNIST test #0: digit 7": "MNIST test #0: digit 7",
    "term.MNIST test #1: digit 2": "MNIST test #1: digit 2",
    "term.MNIST test #3: digit 0": "MNIST test #3: digit 0",
    "term.MNIST test #4: digit 4": "MNIST test #4: digit 4",
}
