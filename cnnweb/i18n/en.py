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
    "les.pick": "Choose a lesson",
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
    "les.overfit.s4_text": "Each link opens the Trainer with one of its presets filled in: the "
                           "seed's 10-epoch run that overfits, its remedy (Dropout 0.4, 15 "
                           "epochs), and overfitting in one minute on 2,000 images. Press Start "
                           "training and watch the curves part.",
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
    # ---------------------------------------------------------------- Explainer
    "xp.link_error": "This link's layer stack could not be read, so the default stack is shown. "
                     "{error}",
    "xp.col_layer": "layer",
    "xp.col_kernel": "kernel",
    "xp.col_stride": "stride",
    "xp.col_padding": "padding",
    "xp.col_padding_help": "valid: none; same: keep the size (÷ stride); full: kernel − 1 "
                           "zeros; or N zeros per side",
    "xp.col_dilation": "dilation",
    "xp.col_dilation_help": "Gaps between kernel taps (not for pooling)",
    "xp.col_filters": "filters",
    "xp.col_filters_help": "Output channels (conv, transposed, separable)",
    "xp.table_error": "{error} The table below still shows the last stack that worked.",
    "xp.title": "Explainer: what a convolution does to shapes",
    "xp.caption": "Build a stack of layers and watch sizes, parameters, multiply-adds and "
                  "receptive fields change. Every setting is kept in the address bar: copy it "
                  "to share this exact view with a class.",
    "xp.preset": "Load a preset stack",
    "xp.preset_placeholder": "Choose a network from the tutorials…",
    "xp.size": "Input size (pixels per side)",
    "xp.channels": "Input channels",
    "xp.channels_help": "1 for grey (MNIST), 3 for colour (CIFAR-10)",
    "xp.bias": "Biases",
    "xp.bias_help": "Each filter adds one learned number after its dot product.",
    "xp.stack": "Layer stack: {n} layers. Click a cell to change it; the + under the table adds "
                "a row, ticking rows shows a bin to delete them",
    "xp.new_layer": "New layer",
    "xp.add_layer": "Add layer",
    "xp.remove_last": "Remove last",
    "xp.stack_error": "{error} Change this layer (or the input size) to continue.",
    "xp.tab_table": "Layer table",
    "xp.tab_sliding": "Sliding kernel",
    "xp.tab_rf": "Receptive field",
    "xp.tab_cmp": "Two 3×3 vs one 5×5",
    "xp.tab_pooling": "Pooling and filters",
    "xp.m_shape": "Output shape",
    "xp.m_params": "Parameters",
    "xp.m_macs": "Multiply-adds per image",
    "xp.m_macs_help": "FLOPs are about twice this (one multiply and one add each).",
    "xp.m_rf": "Receptive field of the last traced layer",
    "xp.start_help": "Centre of the first output cell, in input pixels",
    "xp.jump_help": "Input pixels between neighbouring output cells",
    "term.#": "#",
    "term.layer": "layer",
    "term.output shape": "output shape",
    "term.params": "params",
    "term.MACs": "MACs",
    "term.RF size": "RF size",
    "term.jump": "jump",
    "term.start": "start",
    "term.output size": "output size",
    "term.params formula": "params formula",
    "term.input": "input",
    "xp.layer_note": "Layer {i}: {note}",
    "xp.transposed_note": "Receptive fields are not traced past a transposed convolution (it "
                          "spreads each input pixel over several outputs).",
    "xp.work": "Work out layer",
    "term.Output size (per side)": "Output size (per side)",
    "term.Parameters": "Parameters",
    "term.Operations (compares or adds)": "Operations (compares or adds)",
    "term.Multiply-adds (MACs) per image": "Multiply-adds (MACs) per image",
    "term.Receptive field": "Receptive field",
    "xp.growth_caption": "Each layer shrinks (or keeps) the feature map while the receptive "
                         "field grows: deep cells see a large part of the picture.",
    "xp.sliding_text": "One kernel sliding over a small grid. Grey cells are the zero padding; "
                       "the orange window is multiplied cell by cell with the kernel and summed.",
    "xp.grid": "Input grid",
    "xp.grid_size": "Grid size",
    "xp.kernel": "Kernel",
    "xp.kernel_size_help": "Named kernels are 3×3; size applies to ones and random.",
    "xp.padding": "Padding",
    "xp.dilation": "Dilation",
    "xp.zeros_per_side": "{n} zeros/side",
    "xp.sliding_error": "{error} Use a smaller kernel or dilation, or more padding.",
    "xp.previous": "Previous",
    "xp.next": "Next",
    "xp.cell": "Output cell (row by row)",
    "xp.bias_one": "Bias",
    "xp.rf_none": "Add a convolution or pooling layer to see a receptive field.",
    "xp.rf_layer": "Layer",
    "xp.row": "Output row",
    "xp.col": "Output column",
    "xp.on_picture": "Draw on a picture",
    "xp.on_picture_help": "A sample picture of the input's size underneath",
    "xp.rf_text": "Output cell **({r}, {c})** of layer {li} has a receptive field of "
                  "**{size}×{size}** input pixels (dashed box: rows {top} to {bottom}, columns "
                  "{left} to {right}); neighbouring cells are **{jump}** pixels apart. It reads "
                  "rows {r0}–{r1} and columns {c0}–{c1} of the real input",
    "xp.rf_outside": "; {outside} of the box's pixels are padding or holes left by dilation.",
    "xp.rf_inside": ".",
    "xp.rf_paths": " The centre is reached by up to **{most}** paths and the edge by as few as "
                   "**{least}**: the middle of a receptive field counts most.",
    "xp.cmp_rf": "Receptive field, both ways",
    "xp.cmp_params": "{n:,} parameters",
    "xp.cmp_delta": "{d:+,} vs stacked",
    "term.Upload my own…": "Upload my own…",
    "xp.upload": "A picture (PNG or JPEG; shrunk to 256 pixels)",
    "xp.upload_hint": "Upload a picture, or pick one of the samples.",
    "xp.pool_title": "Max vs average pooling",
    "xp.pool_size": "Pool size",
    "xp.pool_stride": "Stride (0 = pool size)",
    "xp.original": "original",
    "xp.max_pool": "max pooling",
    "xp.avg_pool": "average pooling",
    "xp.pool_caption": "Max pooling keeps the strongest value of each window (edges and texture "
                       "survive); average pooling smooths (backgrounds survive). Neither has "
                       "weights to learn.",
    "xp.grid4": "a 4×4 grid",
    "xp.classic": "Classic kernels",
    "term.custom": "custom",
    "xp.custom": "Custom kernel (rows split by ';')",
    "xp.grey": "Grey first",
    "xp.output": "output",
    "xp.signed": " (blue +, red −)",
    "xp.filter_caption": "Each output pixel is the sum of the 3×3 neighbourhood times the "
                         "kernel ('same' padding keeps the size; a strong response along the "
                         "border comes from the zeros outside the picture). A CNN learns "
                         "kernels like these from data instead of having them written by hand.",
    # the Explainer's preset stacks (cnnweb.stack.PRESETS): titles and notes
    "term.Seed 001: the Keras MNIST CNN": "Seed 001: the Keras MNIST CNN",
    "term.The tutorial's network: 26→13→11→5→3; parameters 320, 18,496 and 36,928.": (
        "The tutorial's network: 26→13→11→5→3; parameters 320, 18,496 and 36,928."),
    "term.Seed 002: the CIFAR-10 CNN": "Seed 002: the CIFAR-10 CNN",
    "term.Same shape as the MNIST net on colour input: the first conv has 3×3×3×32+32 = 896.": (
        "Same shape as the MNIST net on colour input: the first conv has 3×3×3×32+32 = 896."),
    "term.Seed 004: strided convolutions, same padding": (
        "Seed 004: strided convolutions, same padding"),
    "term.Stride 2 with 'same' padding halves the size: 32→32→16→16→8, no pooling needed.": (
        "Stride 2 with 'same' padding halves the size: 32→32→16→16→8, no pooling needed."),
    "term.Seed 004: two small convs (490 and 1,820 parameters)": (
        "Seed 004: two small convs (490 and 1,820 parameters)"),
    "term.(4×4×3+1)×10 = 490 and (3×3×10+1)×20 = 1,820.": (
        "(4×4×3+1)×10 = 490 and (3×3×10+1)×20 = 1,820."),
    "term.Seed 000: one 5×5 conv, same padding, then pooling": (
        "Seed 000: one 5×5 conv, same padding, then pooling"),
    "term.5×5×3×6+6 = 456 parameters; 'same' keeps 32×32 until the pooling halves it.": (
        "5×5×3×6+6 = 456 parameters; 'same' keeps 32×32 until the pooling halves it."),
    "term.VGG block: two 3×3 convs and a pool": "VGG block: two 3×3 convs and a pool",
    "term.Two 3×3 convs see 5×5 of the input; the pool doubles the jump.": (
        "Two 3×3 convs see 5×5 of the input; the pool doubles the jump."),
    "term.VGG16 feature extractor (13 convs, 5 pools)": (
        "VGG16 feature extractor (13 convs, 5 pools)"),
    "term.pool5 sees 212 pixels of the 224 with a jump of 32 (7×7×512 output).": (
        "pool5 sees 212 pixels of the 224 with a jump of 32 (7×7×512 output)."),
    "term.Dilated convolutions (1, 2, 4)": "Dilated convolutions (1, 2, 4)",
    "term.Receptive field 3, 7, 15 with the parameters of three 3×3 convs; look at the holes in the Receptive field tab.": (
        "Receptive field 3, 7, 15 with the parameters of three 3×3 convs; look at the holes in "
        "the Receptive field tab."),
    "term.Encoder-decoder with transposed convolutions": (
        "Encoder-decoder with transposed convolutions"),
    "term.Strided convs shrink 28→14→7, transposed convs grow it back 7→14→28.": (
        "Strided convs shrink 28→14→7, transposed convs grow it back 7→14→28."),
    # ---------------------------------------------------------------- Trainer
    "tr.caption": "Train a CNN in the background and watch it learn. Closing the tab does not "
                  "stop it; come back later and the run is still here.",
    "tr.new_run": "New run",
    "tr.preset": "Preset",
    "term.Custom": "Custom",
    "tr.data": "Data: {source}",
    "tr.epochs": "Epochs",
    "tr.batch": "Batch size",
    "tr.optimizer": "Optimizer",
    "tr.lr": "Learning rate",
    "tr.dropout": "Dropout",
    "tr.augment": "Data augmentation",
    "tr.augment_help": "random shifts; horizontal flips too on CIFAR-10",
    "tr.es": "Early stopping",
    "tr.es_help": "patience in epochs; 0 = off. Keeps the weights of the best epoch.",
    "tr.val": "Validation split",
    "tr.limit": "Training images to use (0 = all)",
    "tr.limit_help": "a small subset trains fast and overfits quickly",
    "tr.more": "More settings",
    "tr.schedule": "Learning-rate schedule",
    "term.constant": "constant",
    "term.cosine": "cosine",
    "tr.wd": "Weight decay",
    "tr.ls": "Label smoothing",
    "tr.seed": "Random seed",
    "tr.mp": "Mixed precision (GPU only)",
    "tr.name": "Model name (empty: the run id)",
    "tr.start": "Start training",
    "tr.cannot_start": "Cannot start: {error}",
    "tr.started": "Started run {run}.",
    "term.queued": "queued",
    "term.running": "running",
    "term.finished": "finished",
    "term.stopped": "stopped",
    "term.failed": "failed",
    "tr.ips": "{n:,.0f} images/s",
    "tr.ips_unknown": "… images/s",
    "tr.epoch_of": "epoch {e}/{n}",
    "tr.starting": "starting",
    "tr.eta": "ETA",
    "tr.loading_tf": "loading TensorFlow…",
    "tr.stop": "Stop training",
    "tr.stop_toast": "Stop requested: the run saves its model after the current batch.",
    "tr.curves_wait": "The curves start as soon as the first batches are done.",
    "tr.results": "Test results",
    "tr.test_acc": "Test accuracy",
    "tr.test_loss": "Test loss",
    "tr.ips_title": "Images/s",
    "tr.saved": "Model **{name}** saved in the model store (see the Gallery and Predict). "
                "Reproduce: `{command}`",
    "tr.cm": "**Confusion matrix** (test set)",
    "tr.mistakes": "**Most confident mistakes** (test set): true → predicted, confidence",
    "tr.no_mistakes": "No misclassified test images.",
    "tr.no_runs": "No runs yet. Choose a preset or settings on the left and press Start "
                  "training.",
    "tr.run": "Run",
    "tr.log": "Log",
    "tr.compare": "Compare runs",
    "tr.overlay": "Runs to overlay",
    "tr.metric": "Metric",
    "term.val_accuracy": "val_accuracy",
    "term.val_loss": "val_loss",
    "term.Seed 001: MNIST CNN, 5 epochs": "Seed 001: MNIST CNN, 5 epochs",
    "term.seed 001: 99.01% test accuracy after 5 epochs": (
        "seed 001: 99.01% test accuracy after 5 epochs"),
    "term.Seed 002: CIFAR CNN, 10 epochs (overfits)": "Seed 002: CIFAR CNN, 10 epochs (overfits)",
    "term.seed 002: 71.17% test accuracy; validation loss turns up after epoch 7": (
        "seed 002: 71.17% test accuracy; validation loss turns up after epoch 7"),
    "term.Seed 002 remedy: Dropout 0.4, 15 epochs": "Seed 002 remedy: Dropout 0.4, 15 epochs",
    "term.seed 002 with Dropout(0.4): 73.29% test accuracy, the gap closes": (
        "seed 002 with Dropout(0.4): 73.29% test accuracy, the gap closes"),
    "term.Seed 004: BN + LeakyReLU CNN, 10 epochs": "Seed 004: BN + LeakyReLU CNN, 10 epochs",
    "term.seed 004: 73.79% test accuracy": "seed 004: 73.79% test accuracy",
    "term.Overfitting in one minute: CIFAR CNN on 2,000 images": (
        "Overfitting in one minute: CIFAR CNN on 2,000 images"),
    "term.a small training set and no dropout: the train/validation gap opens within minutes": (
        "a small training set and no dropout: the train/validation gap opens within minutes"),
    # ---------------------------------------------------------------- Gallery
    "term.32×32×3 (CIFAR-10 colour)": "32×32×3 (CIFAR-10 colour)",
    "term.28×28×1 (MNIST grey)": "28×28×1 (MNIST grey)",
    "term.type": "type",
    "term.config": "config",
    "term.output": "output",
    "term.non-trainable": "non-trainable",
    "term.multiply-adds": "multiply-adds",
    "term.RF jump": "RF jump",
    "gal.intro": "The classic CNNs side by side, and every model trained in this app.",
    "gal.view": "View",
    "term.Architectures": "Architectures",
    "term.Compare all": "Compare all",
    "term.Trained models": "Trained models",
    "gal.input": "Input",
    "gal.classes": "Classes",
    "gal.source": "Source: {source}",
    "gal.total_params": "Total parameters",
    "gal.total_params_help": "trainable {trainable:,}, non-trainable {fixed:,} (batch-norm "
                             "moving means and variances)",
    "gal.weights": "Weights (float32)",
    "gal.macs": "Multiply-adds",
    "gal.macs_help": "{macs:,} multiply-adds per image; FLOPs ≈ 2 × that = {flops:,}",
    "les.rf": "Receptive field",
    "gal.rf_help": "of one cell of {name}, the last spatial layer (jump {jump})",
    "gal.layers_caption": "{layers} layers · FLOPs ≈ 2 × multiply-adds = {flops:,.1f} M per "
                          "image",
    "gal.special": "What is special.",
    "gal.tab_layers": "Layers",
    "gal.tab_diagram": "Diagram",
    "gal.layers_note": "Shapes, parameters, multiply-adds and receptive fields are computed "
                       "with cnnweb.conv from the layer settings (the tests check them against "
                       "Keras). Receptive field along the height: where branches meet, the "
                       "largest over the inbound paths.",
    "gal.diagram_note": "Batch norm, activation and dropout are drawn inside the box of the "
                        "layer they follow; dashed edges are identity skip connections.",
    "gal.compare_at": "Compare at input",
    "gal.building": "Building every architecture once…",
    "gal.best_acc": "best test accuracy",
    "gal.compare_note": "Accuracy is the best test-set accuracy of a model of that architecture "
                        "trained in this app (empty until one is trained). Parameters and "
                        "multiply-adds for 10 classes.",
    "gal.no_models": "No trained models yet. Train one on the Trainer page and it appears here.",
    "gal.go_trainer": "Go to the Trainer",
    "gal.created": "created",
    "gal.unusable": "**{name}** cannot be used: {error}.",
    "gal.unreadable": "  (unreadable)",
    "gal.fact_input": "input {shape}",
    "gal.fact_created": "created {when}",
    "gal.fact_run": "run {run}",
    "gal.fact_shipped": "shipped with cnnweb",
    "gal.hyperparams": "Hyperparameters: ",
    "gal.no_curves": "No training curves were recorded for this model.",
    "gal.cm": "Confusion matrix (test set)",
    "gal.download": "Download {file}",
    "gal.no_delete": "Shipped models cannot be deleted from the app.",
    "gal.delete": "Delete {name}…",
    "gal.confirm": "Delete **{name}** for good? Its .keras and .json files are removed.",
    "gal.yes": "Yes, delete it",
    "gal.deleted": "Deleted {name}",
    "gal.cancel": "Cancel",
    # ---------------------------------------------------------------- Predict
    "pred.acc_unknown": "accuracy ?",
    "pred.intro": "Draw a digit or upload pictures: the model says what it sees, how sure it "
                  "is, what its layers respond to and where it looked.",
    "pred.no_model": "No trained model found. The shipped models live in models/; train one on "
                     "the Trainer page or with `python -m cnnweb train`.",
    "pred.model_help": "★ = shipped with cnnweb; then the models you trained",
    "pred.topk": "Top k",
    "pred.load_error": "This model cannot be loaded: {error}",
    "pred.model_facts": "{arch} on {dataset}: input {shape}",
    "pred.model_acc": ", {acc:.2%} test accuracy",
    "pred.model_classes": ", classes: {classes}",
    "term.Draw": "Draw",
    "term.Upload": "Upload",
    "pred.draw_digits_only": "Drawing is offered for digit (MNIST) models; pick one to draw.",
    "pred.stroke": "Stroke width",
    "pred.clear": "Clear",
    "pred.draw_hint": "{why}: use the mouse (or a finger) on the white square.",
    "pred.prediction": "Prediction",
    "pred.sure": "{p:.1%} sure",
    "pred.sees": "what the model sees: {h}×{w}, centred like MNIST",
    "pred.fit": "Fit to the model's input",
    "pred.fit_squash": "squash (whole picture)",
    "pred.fit_crop": "centre crop (keep proportions)",
    "pred.files": "Images (PNG, JPEG, BMP, GIF, WebP, TIFF)",
    "pred.upload_hint": "Upload one or more pictures.",
    "pred.upload_scans": " Scans of dark ink on white paper work too.",
    "pred.col_file": "file",
    "pred.col_top": "top {k}",
    "pred.col_confidence": "confidence",
    "pred.csv": "Download the results (CSV)",
    "pred.closer": "Look closer at",
    "pred.inside": "Inside the network",
    "pred.fmaps": "Feature maps of layer",
    "pred.fmaps_caption": "{layer}: {h}×{w}, {shown} of {total} channels (bright = strong "
                          "response)",
    "pred.no_convs": "This model has no convolution layers.",
    "pred.cam_class": "Grad-CAM for class",
    "pred.cam_predicted": "the predicted class",
    "pred.cam_error": "Grad-CAM is not available for this model: {error}",
    "pred.cam_none": " (no positive evidence for this class anywhere)",
    "pred.cam_caption": "where the model looked for “{label}” ({p:.1%}), from layer {layer} "
                        "({h}×{w})",
    # chart words (cnnweb.charts titles, legends, axes): whole labels, then phrases inside labels
    "term.train (this epoch so far)": "train (this epoch so far)",
    "term.predicted": "predicted",
    "term.true": "true",
    "term.pixels": "pixels",
    "term.feature map side": "feature map side",
    "term.receptive field side": "receptive field side",
    "term.probability": "probability",
    "term.multiply-adds per image (log)": "multiply-adds per image (log)",
    "term.parameters (log)": "parameters (log)",
    "term.trained (colour = test accuracy)": "trained (colour = test accuracy)",
    "term.val accuracy": "val accuracy",
    "term.val loss": "val loss",
    "phrase.input × kernel": "input × kernel",
    "phrase. + zero padding (grey)": " + zero padding (grey)",
    "phrase.: pixels the cell sees (darker = more paths)": ": pixels the cell sees (darker = more paths)",
    "phrase.: the chosen cell": ": the chosen cell",
    "phrase.input ": "input ",
    "phrase.kernel ": "kernel ",
    "phrase.output ": "output ",
    # words inside the Explainer's layer descriptions and Keras notes (cnnweb.stack)
    "phrase. filters": " filters",
    "phrase.stride ": "stride ",
    "phrase.dilation ": "dilation ",
    "phrase. zeros": " zeros",
    "phrase.In Keras: ": "In Keras: ",
    "phrase. followed by a 'valid' layer.": " followed by a 'valid' layer.",
    "term.Keras refuses stride > 1 together with dilation > 1 (PyTorch allows it).": (
        "Keras refuses stride > 1 together with dilation > 1 (PyTorch allows it)."),
    "term.Keras has no 'full' padding: add ZeroPadding2D(kernel − 1) before a valid layer.": (
        "Keras has no 'full' padding: add ZeroPadding2D(kernel − 1) before a valid layer."),
    "ds.sample": "shipped sample of {title} ({n:,} training images); put the full set in data/ "
                 "or set CNNWEB_DATA_DIR for real accuracy",
    "ds.found": "{title} from {path}, {n:,} training images",
    # cnnweb.zoo's descriptions and notes: shown translated only while the English here still
    # matches zoo.info() (ui.zoo_text), so a changed description never shows a stale translation
    "zoo.mnist_cnn.description": "Three 3x3 convolutions and two max-pools, the classic MNIST "
                                 "CNN.",
    "zoo.mnist_cnn.notes": "Small and fast: about 93 thousand parameters reach about 99% test "
                           "accuracy on MNIST in a few epochs. Valid padding shrinks 28 -> 26 "
                           "-> 13 -> 11 -> 5 -> 3.",
    "zoo.cifar_cnn.description": "The same three-conv stack on 32x32 colour images; dropout 0.4 "
                                 "before the classifier is the seed's fix for overfitting.",
    "zoo.cifar_cnn.notes": "Trains to about 70% on CIFAR-10 and then overfits: training "
                           "accuracy keeps rising while validation stalls. The seed adds "
                           "Dropout(0.4) after the last convolution (set dropout=0.4) and the "
                           "gap closes.",
    "zoo.baseline.description": "One CBAPD block (conv6 5x5, BN, ReLU, max-pool, dropout) and "
                                "two dense layers.",
    "zoo.baseline.notes": "The course's template: Convolution, Batch norm, Activation, Pooling, "
                          "Dropout. Almost all of its parameters sit in the first dense layer "
                          "(16*16*6 inputs x 128). Seed 000 wrote it as a subclassed model that "
                          "could not be reloaded; here it is Functional and round-trips exactly.",
    "zoo.bn_leaky_cnn.description": "Four 3x3 convolutions (two with stride 2) each with batch "
                                    "norm and LeakyReLU, then dense128 with BN and dropout 0.5.",
    "zoo.bn_leaky_cnn.notes": "Downsamples with strided convolutions instead of pooling. Batch "
                              "norm after every layer stabilises training; the seed reaches "
                              "73.8% on CIFAR-10 in 10 epochs.",
    "zoo.lenet5.description": "LeNet-5: two 5x5 sigmoid convolutions with max-pooling, then "
                              "dense 120, 84 and the classifier.",
    "zoo.lenet5.notes": "The first convolutional network (1998): shared kernels cut the "
                        "parameter count. No batch norm and no dropout existed yet, and the "
                        "only activation was the sigmoid.",
    "zoo.alexnet8.description": "AlexNet, 8 layers: five convolutions (the first two with "
                                "normalisation and 3x3/2 pooling) and three dense layers.",
    "zoo.alexnet8.notes": "Won ImageNet 2012 with a top-5 error of 16.4%. It popularised ReLU "
                          "and dropout, and used LRN (local response normalisation), which "
                          "today's networks replace with batch normalisation, as this CIFAR "
                          "version does.",
    "zoo.vgg16.description": "VGG-16: thirteen 3x3 conv-BN-ReLU layers in five blocks, each "
                             "block ending in 2x2 max-pool and dropout, then dense 512, 512.",
    "zoo.vgg16.notes": "Runner-up of ImageNet 2014 with a top-5 error of 7.3%. Only small 3x3 "
                       "kernels: two stacked 3x3 layers see as far as one 5x5 with fewer "
                       "parameters. The regular structure suits hardware acceleration.",
    "zoo.inception10.description": "A 10-layer InceptionNet: a stem conv, then two blocks of "
                                   "two Inception modules (16 then 32 channels per branch).",
    "zoo.inception10.notes": "GoogLeNet won ImageNet 2014 with a top-5 error of 6.67%. Each "
                             "Inception module runs 1x1, 3x3, 5x5 convolutions and a pooling "
                             "branch side by side and stacks their outputs; the 1x1 "
                             "convolutions first reduce the depth, which cuts parameters and "
                             "computation. Batch norm fights vanishing gradients.",
    "zoo.resnet18.description": "ResNet-18: a 3x3 stem and four stages of two residual blocks "
                                "(64, 128, 256, 512 filters), global average pooling.",
    "zoo.resnet18.notes": "Won ImageNet 2015 with a top-5 error of 3.57%. Skip connections add "
                          "each block's input to its output (H(x) = F(x) + x, or F(x) + W(x) "
                          "with a 1x1 convolution W when the shape changes), so earlier "
                          "features are not lost and much deeper networks can be trained.",
    "zoo.cnnweb_mnist.description": "Four 3x3 conv-BN-ReLU layers in two blocks with "
                                    "max-pooling, then dense128 with dropout: the shipped digit "
                                    "model.",
    "zoo.cnnweb_mnist.notes": "Batch norm after every convolution lets it train fast; random "
                              "shifts of up to 10% make it tolerant of digits drawn off-centre. "
                              "Above 99.3% on MNIST's test split in a few epochs on a CPU. "
                              "Valid padding: 28 -> 26 -> 24 -> 12 -> 10 -> 8 -> 4.",
    "zoo.cnnweb_cifar.description": "A small VGG: three blocks of two 3x3 conv-BN-ReLU layers "
                                    "(width, 2x, 4x filters) with max-pooling, global average "
                                    "pooling, one dense classifier: the shipped CIFAR-10 model.",
    "zoo.cnnweb_cifar.notes": "Sized for a CPU: about 38 million multiply-adds per image. Batch "
                              "norm, flips and shifts, a cosine learning-rate schedule and "
                              "label smoothing take it above 82% test accuracy on CIFAR-10 in "
                              "20 epochs; global average pooling instead of a big dense layer "
                              "keeps it under 300 thousand parameters. At width 24 (about 20 "
                              "million multiply-adds) the same recipe reached 81.5%.",
    "zoo.cnnweb_mnist_fast.description": "Two 3x3 conv-BN-ReLU layers (width, 2x width) with "
                                         "max-pooling, then one dense classifier: MNIST to 99% "
                                         "in three epochs.",
    "zoo.cnnweb_mnist_fast.notes": "About 2.4 million multiply-adds per image, as many as seed "
                                   "001's network, with a third of its parameters. Batch norm "
                                   "lets it take a large learning rate and a cosine schedule "
                                   "does the rest in a few epochs (see BENCHMARKS.md). Valid "
                                   "padding: 28 -> 26 -> 13 -> 11 -> 5.",
    "zoo.cnnweb_cifar_fast.description": "cnnweb_cifar at width 16: three blocks of two 3x3 "
                                         "conv-BN-ReLU layers (16, 32, 64 filters) with "
                                         "max-pooling, global average pooling, one dense "
                                         "classifier: CIFAR-10 in minutes on a 2-core CPU.",
    "zoo.cnnweb_cifar_fast.notes": "About 10 million multiply-adds per image, a quarter of "
                                   "cnnweb_cifar's at width 32, and 73 thousand parameters. "
                                   "Depth (six convolutions) over width: in a short run the "
                                   "deeper net learns more per epoch (see BENCHMARKS.md).",
    # cnnweb.device.describe()
    "phrase.CPU only (": "CPU only (",
    "phrase. cores):": " cores):",
    # cnnweb.jobs.describe(): one line per run ("mnist_cnn on mnist, 5 epochs: finished, ...")
    "phrase. on ": " on ",
    "phrase. epochs": " epochs",
    "phrase.: queued": ": queued",
    "phrase.: running": ": running",
    "phrase.: finished": ": finished",
    "phrase.: stopped": ": stopped",
    "phrase.: failed": ": failed",
    "phrase.% test": "% test",
    "les.next": "Next lesson: {title}",
    "term.Draw a digit first": "Draw a digit first",
}
