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
                               "loss {loss:.3f}); train for {epoch:|epoch|epochs}, or turn on "
                               "early stopping with patience 2 so the weights of the best epoch "
                               "are kept.",
    "diag.rem.add_dropout": "Dropout: add dropout (e.g. 0.4). In tutorial 2, Dropout(0.4) plus 15 "
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
    "diag.rem.batchnorm": "Batch normalization: an architecture with BatchNormalization (tutorial "
                          "4's BN + LeakyReLU net reached 73.79% on CIFAR-10) trains more "
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
    "diag.too_early": "Not clear yet: {n:|whole epoch|whole epochs} so far, and the diagnosis "
                      "needs at least {k}.",
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
    "les.stacked3x3.intro": "From tutorial 0: \"two layers of 3×3 kernels (20 parameters) extract "
                            "features as well as one 5×5 layer (26 parameters); in general two "
                            "3×3 layers are better than one 5×5.\" Let us check every number.",
    "les.stacked3x3.s1": "What one kernel costs",
    "les.stacked3x3.s1_text": "A kernel has one weight per cell and per input channel, plus one "
                              "bias. The tutorial's examples: 3×3×1 → 10, 3×3×3 → 28, 5×5×3 → 76. "
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
                              "channel this is the tutorial's 20 vs 26; with more channels the "
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
    "les.padding.intro": "From tutorials 0 and 3: with padding='SAME' (全零填充, zero padding) "
                         "the output side is input / stride; with padding='VALID' (no padding) "
                         "it is (input − kernel + 1) / stride, both rounded up.",
    "les.padding.s1": "The tutorial's two formulas",
    "les.padding.s1_text": "Pick an input size, a kernel size and a stride. The big numbers come "
                           "from the same arithmetic Keras uses; the formulas are the tutorial's.",
    "les.padding.n": "Input size n",
    "les.padding.same": "SAME (zero padding)",
    "les.padding.valid": "VALID (no padding)",
    "les.padding.agree": "Both formulas agree with Keras's ⌊(n + zeros − k) / s⌋ + 1. SAME adds "
                         "{before:|zero|zeros} before and {after} after on each axis.",
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
    "les.padding.layers_end": "After {depth:|layer|layers} of {k}×{k}: **{same:|pixel|pixels}** "
                              "per side with SAME, **{valid}** with VALID.",
    "les.cbapd.title": "CBAPD: the five building blocks",
    "les.cbapd.intro": "Tutorial 3: \"what is a convolution? A feature extractor, that is CBAPD\": "
                       "Convolution, Batch normalization, Activation, Pooling, Dropout.",
    "les.cbapd.s1": "The five blocks",
    "les.cbapd.s1_text": "- **C** Conv2D (卷积): kernels slide over the picture and extract "
                         "features.\n- **B** BatchNormalization (批标准化): each batch rescaled to "
                         "mean 0 and standard deviation 1, then a learned scale and shift.\n- **A** "
                         "Activation (激活), e.g. ReLU: negative responses become 0.\n- **P** "
                         "Pooling (池化): max pooling keeps texture, average pooling keeps the "
                         "background; the map gets smaller.\n- **D** Dropout (舍弃): during "
                         "training, a share of the units is switched off at random.",
    "les.cbapd.s2": "The tutorial's block in Keras",
    "les.cbapd.s2_text": "Tutorial 0's baseline on a 32×32×3 CIFAR-10 picture: Conv2D(6, 5×5, "
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
    "les.cbapd.s4_text": "Tutorial 3 writes VGG16's {convs} conv layers as {letters}: the same five "
                         "blocks, repeated, with a pool in {pools} of them. The Gallery shows "
                         "VGG16 and the other classic networks layer by layer.",
    "les.overfit.title": "Why my CIFAR model overfit, and how dropout fixed it",
    "les.overfit.intro": "Tutorial 2 trained a small CNN on CIFAR-10 and missed its goal of 72% "
                         "test accuracy. More epochs made it worse. Adding layers.Dropout(0.4) "
                         "reached it.",
    "les.overfit.s1": "What happened in the tutorial",
    "les.overfit.s1_text": "The training accuracy kept climbing while the validation accuracy "
                           "stalled: the model memorised the training images (过拟合, "
                           "overfitting). Dropout plus 15 epochs closed the gap.",
    "les.overfit.before": "{epochs:|epoch|epochs}, no dropout",
    "les.overfit.after": "Dropout({rate:g}), {epochs:|epoch|epochs}",
    "les.overfit.target": "the tutorial's goal",
    "les.overfit.s2": "See it happen: our own run of the tutorial's recipe",
    "les.overfit.s2_text": "The shipped model seed002_cifar_cnn was trained here with the tutorial's "
                           "settings. Move the slider to stop training earlier and watch the "
                           "verdict of cnnweb's diagnosis change.",
    "les.overfit.missing": "The shipped model's curves cannot be read: {error}",
    "les.overfit.upto": "Stop after epoch",
    "les.overfit.ours": "Our run: {acc:.2%} test accuracy after {epochs:|epoch|epochs}.",
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
                           "tutorial's 10-epoch run that overfits, its remedy (Dropout 0.4, 15 "
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
    "xp.zeros_per_side": "{n:|zero|zeros}/side",
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
                  "**{size:,}×{size:,}** input pixels (dashed box: rows {top} to {bottom}, "
                  "columns {left} to {right}); neighbouring cells are **{jump:,|pixel|pixels}** "
                  "apart. It reads rows {r0}–{r1} and columns {c0}–{c1} of the real input",
    "xp.rf_outside": "; {outside} of the box's pixels are padding or holes left by dilation.",
    "xp.rf_inside": ".",
    "xp.rf_paths": " The centre is reached by up to **{most:,|path|paths}** and the edge by as "
                   "few as **{least:,}**: the middle of a receptive field counts most.",
    "xp.cmp_rf": "Receptive field, both ways",
    "xp.cmp_params": "{n:,|parameter|parameters}",
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
    "term.Seed 001: the Keras MNIST CNN": "Tutorial 1: the Keras MNIST CNN",
    "term.The tutorial's network: 26→13→11→5→3; parameters 320, 18,496 and 36,928.": (
        "The tutorial's network: 26→13→11→5→3; parameters 320, 18,496 and 36,928."),
    "term.Seed 002: the CIFAR-10 CNN": "Tutorial 2: the CIFAR-10 CNN",
    "term.Same shape as the MNIST net on colour input: the first conv has 3×3×3×32+32 = 896.": (
        "Same shape as the MNIST net on colour input: the first conv has 3×3×3×32+32 = 896."),
    "term.Seed 004: strided convolutions, same padding": (
        "Tutorial 4: strided convolutions, same padding"),
    "term.Stride 2 with 'same' padding halves the size: 32→32→16→16→8, no pooling needed.": (
        "Stride 2 with 'same' padding halves the size: 32→32→16→16→8, no pooling needed."),
    "term.Seed 004: two small convs (490 and 1,820 parameters)": (
        "Tutorial 4: two small convs (490 and 1,820 parameters)"),
    "term.(4×4×3+1)×10 = 490 and (3×3×10+1)×20 = 1,820.": (
        "(4×4×3+1)×10 = 490 and (3×3×10+1)×20 = 1,820."),
    "term.Seed 000: one 5×5 conv, same padding, then pooling": (
        "Tutorial 0: one 5×5 conv, same padding, then pooling"),
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
    "tr.flip": "Mirror flips only",
    "tr.flip_help": "random horizontal flips, no shifts: for pictures that still look right "
                    "mirrored (CIFAR-10's), not for digits",
    "tr.tta": "Test with mirror images too",
    "tr.tta_help": "test-time augmentation: each test picture's prediction is the average of "
                   "the picture's and its mirror image's",
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
    "tr.mp": "Mixed precision (a GPU, or a CPU with AMX)",
    "tr.preset_float32": ("This computer has neither a GPU nor a CPU with AMX, so here the "
                          "preset trains in float32: expect about 2 to 2.5 times as long as "
                          "with mixed precision (see BENCHMARKS.md)."),
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
    "term.Seed 001: MNIST CNN, 5 epochs": "Tutorial 1: MNIST CNN, 5 epochs",
    "term.seed 001: 99.01% test accuracy after 5 epochs": (
        "Tutorial 1: 99.01% test accuracy after 5 epochs"),
    "term.Seed 002: CIFAR CNN, 10 epochs (overfits)": "Tutorial 2: CIFAR CNN, 10 epochs (overfits)",
    "term.seed 002: 71.17% test accuracy; validation loss turns up after epoch 7": (
        "Tutorial 2: 71.17% test accuracy; validation loss turns up after epoch 7"),
    "term.Seed 002 remedy: Dropout 0.4, 15 epochs": "Tutorial 2 remedy: Dropout 0.4, 15 epochs",
    "term.seed 002 with Dropout(0.4): 73.29% test accuracy, the gap closes": (
        "Tutorial 2 with Dropout(0.4): 73.29% test accuracy, the gap closes"),
    "term.Seed 004: BN + LeakyReLU CNN, 10 epochs": "Tutorial 4: BN + LeakyReLU CNN, 10 epochs",
    "term.seed 004: 73.79% test accuracy": "Tutorial 4: 73.79% test accuracy",
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
    "gal.layers_caption": "{layers:|layer|layers} · FLOPs ≈ 2 × multiply-adds = {flops:,.1f} M "
                          "per image",
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
    "pred.intro": "Draw a digit, upload pictures or take one with the webcam: the model says "
                  "what it sees, how sure it is, what its layers respond to and where it looked.",
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
    "pred.fmaps_caption": "{layer}: {h}×{w}, {shown} of {total:|channel|channels} (bright = "
                          "strong response)",
    "pred.no_convs": "This model has no convolution layers.",
    "pred.cam_class": "Grad-CAM for class",
    "pred.cam_predicted": "the predicted class",
    "pred.cam_error": "Grad-CAM is not available for this model: {error}",
    "pred.cam_none": " (no positive evidence for this class anywhere)",
    "pred.cam_caption": "where the model looked for “{label}” ({p:.1%}), from layer {layer} "
                        "({h}×{w})",
    # chart words (cnnweb.charts titles, legends, axes): whole labels
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
    # words inside the Explainer's layer descriptions and Keras notes (cnnweb.stack)
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
                                 "before the classifier is the tutorial's fix for overfitting.",
    "zoo.cifar_cnn.notes": "Trains to about 70% on CIFAR-10 and then overfits: training "
                           "accuracy keeps rising while validation stalls. The tutorial adds "
                           "Dropout(0.4) after the last convolution (set dropout=0.4) and the "
                           "gap closes.",
    "zoo.baseline.description": "One CBAPD block (conv6 5x5, BN, ReLU, max-pool, dropout) and "
                                "two dense layers.",
    "zoo.baseline.notes": "The course's template: Convolution, Batch norm, Activation, Pooling, "
                          "Dropout. Almost all of its parameters sit in the first dense layer "
                          "(16×16×6 inputs × 128). Tutorial 0 wrote it as a subclassed model that "
                          "could not be reloaded; here it is Functional and round-trips exactly.",
    "zoo.bn_leaky_cnn.description": "Four 3x3 convolutions (two with stride 2) each with batch "
                                    "norm and LeakyReLU, then dense128 with BN and dropout 0.5.",
    "zoo.bn_leaky_cnn.notes": "Downsamples with strided convolutions instead of pooling. Batch "
                              "norm after every layer stabilises training; the tutorial reaches "
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
    "zoo.cnnweb_cifar.notes": "Sized for a CPU: about 39 million multiply-adds per image. Batch "
                              "norm, flips and shifts, a cosine learning-rate schedule and label "
                              "smoothing take it above 82% test accuracy on CIFAR-10 in 20 "
                              "epochs; global average pooling instead of a big dense layer keeps "
                              "it under 300 thousand parameters. At width 24 (about 22 million "
                              "multiply-adds) the same recipe reached 81.5%.",
    "zoo.cnnweb_mnist_fast.description": "Two 3x3 conv-BN-ReLU layers (width, 2x width) with "
                                         "max-pooling, then one dense classifier: MNIST to 99% "
                                         "in three epochs.",
    "zoo.cnnweb_mnist_fast.notes": "About 2.5 million multiply-adds per image, nearly as many as "
                                   "tutorial 1's network (about 2.8 million), with 35 thousand "
                                   "parameters to its 93 thousand. Batch norm lets it take a "
                                   "large learning rate and a cosine schedule does the rest in a "
                                   "few epochs (see BENCHMARKS.md). Valid padding: 28 -> 26 -> 13 "
                                   "-> 11 -> 5.",
    "zoo.cnnweb_cifar_fast.description": "cnnweb_cifar at width 16: three blocks of two 3x3 "
                                         "conv-BN-ReLU layers (16, 32, 64 filters) with "
                                         "max-pooling, global average pooling, one dense "
                                         "classifier: CIFAR-10 in minutes on a 2-core CPU.",
    "zoo.cnnweb_cifar_fast.notes": "About 10 million multiply-adds per image, a quarter of "
                                   "cnnweb_cifar's at width 32, and 73 thousand parameters. "
                                   "Depth (six convolutions) over width: in a short run the "
                                   "deeper net learns more per epoch (see BENCHMARKS.md).",
    "zoo.cnnweb_cifar_plain.description": "cnnweb_cifar without batch norm: three blocks of two "
                                          "3x3 conv-ReLU layers (32, 64, 128 filters) with "
                                          "max-pooling, global average pooling, one dense "
                                          "classifier.",
    "zoo.cnnweb_cifar_plain.notes": "About 39 million multiply-adds per image and 288 thousand "
                                    "parameters. No batch norm: in bfloat16 on a CPU with AMX, "
                                    "cnnweb_cifar_fast trained 1,128 images per CPU-second and the "
                                    "same net without batch norm 4,335 (see BENCHMARKS.md). "
                                    "He-initialised and given pixels centred on zero, so it learns without it.",
    "zoo.cnnweb_cifar_quick.description": 'cnnweb_cifar_plain with one convolution in its first block: five 3x3 conv-ReLU layers (32; 64, 64; 128, 128 filters) with max-pooling, global average pooling, one dense classifier.',
    "zoo.cnnweb_cifar_quick.notes": "About 29 million multiply-adds per image and 279 thousand parameters. The layer it drops is the costliest on a CPU: it works on full 32x32 maps, where moving the data costs more than the arithmetic. cnnweb_cifar_plain's epoch took 14 s on 2 cores and this one's 10.5 s (bfloat16, see BENCHMARKS.md).",
    # cnnweb.runs.describe(): one line per run ("mnist_cnn on mnist, 5 epochs: finished, ...")
    "run.desc": "{arch} on {dataset}",
    "run.desc_epochs": "{arch} on {dataset}, {epochs:|epoch|epochs}",
    "run.desc_id": "{what} ({id})",
    "run.desc_state": "{what}: {state} ({id})",
    "run.desc_acc": "{what}: {state}, {acc:.2%} test ({id})",
    "run.state_queued": "queued",
    "run.state_running": "running",
    "run.state_finished": "finished",
    "run.state_stopped": "stopped",
    "run.state_failed": "failed",
    "les.next": "Next lesson: {title}",
    "term.Draw a digit first": "Draw a digit first",
    # --- h2-storedata
    # cnnweb.archive: untrusted files and zip archives, judged before reading
    "arc.missing": "{file}: no such file",
    "arc.folder": "{file} is a folder, not a file",
    "arc.special": "{file} is not a regular file (a pipe, device or socket); only ordinary files "
                   "are read",
    "arc.file_too_big": "{file} is {size}, more than the {limit} allowed",
    "arc.not_zip": "{file}: not {what} (not a zip archive)",
    "arc.members": "{file} holds {n:,} files, more than the {limit} allowed: refused before "
                   "unpacking",
    "arc.too_big": "{file} would unpack to {size}, more than the {limit} allowed (a zip bomb?): "
                   "refused before unpacking",
    "arc.overlap": "{file} is malformed: its members share compressed data (a zip bomb?); "
                   "refused before unpacking",
    "arc.ratio": "{file}: {member} would unpack to {ratio:,.0f} times its stored size (at most "
                 "{limit} allowed; a zip bomb?): refused before unpacking",
    "arc.what_npz": "a valid .npz file",
    "arc.what_keras": "a Keras archive (truncated, corrupt or another format)",
    # cnnweb.store: a model's metadata (sidecar) checked against the model
    "store.cannot_use": "cannot use this model: {why}",
    "store.bad_shape": "input_shape in {file} is {value}, not a list of three whole numbers",
    "store.shape_limits": "it takes {shape} inputs; the app feeds at most {side}×{side} pictures "
                          "with 1 or 3 channels",
    "store.bad_classes": "class_names in {file} is {value}, not a list of 1 to {limit} names of "
                         "at most {chars} characters",
    "store.bad_input": "its input is {shape}, not a picture (height, width, channels)",
    "store.bad_output": "its output is {shape}, not one score for each of 2 to {limit} classes",
    "store.shape_mismatch": "{file} says the input is {said}, but the model takes {real}",
    "store.classes_mismatch": "{file} names {n} classes, but the model has {units} outputs",
    # cnnweb.data: dataset files that cannot be used
    "ds.bad_labels": "{file}: the labels are not a list of at most {limit:,} whole numbers",
    "ds.malformed": "{file} is malformed: the header of {array} claims {shape} ({size}), but the "
                    "file holds {held} for it",
    "ds.not_pickle": "{file} is not a pickle file (CIFAR-10 batches are Python pickles; is it a "
                     "text file?)",
    "ds.too_big": "{file} is malformed or too large: {array} claims {shape} ({size}), more than "
                  "the {limit} a dataset may take here; refused before reading",
    "ds.unusable": "{title} ({where}) cannot be used: {error}",
    # --- h3-runs
    "run.disk_full": "failed: disk full in {folder}: the model could not be saved; the metrics "
                     "and log so far are kept",
    "run.disk_full_kept": "failed: disk full in {folder} after the model was saved as {name} "
                          "({path}); the model is kept",
    "run.stop_terminate": "did not answer the stop request within {grace} s: sent it a terminate "
                          "signal",
    "run.stop_kill": "did not end within {grace} s of the terminate signal either: killed it",
    "run.stop_forced": "stopped by force: the training process did not answer the stop request "
                       "within {grace} s, so it was ended; the model of this run was not saved",
    "tr.not_responding": "Not responding: no progress for {quiet}, more than {times}× its usual "
                         "{usual} between updates (and at least {min}). The process may be "
                         "paused, hung or starved of CPU; Stop ends it, by force if it does not "
                         "answer.",
    "tr.stop_force_note": "If it does not answer within {grace} s it is terminated, and killed "
                          "{grace} s after that.",
    "tr.runs_unwritable": "The runs folder {folder} cannot be written ({problem}): runs are shown "
                          "as they are, but new runs cannot start and changes are not recorded.",
    "tr.run_gone": "This run no longer exists: its folder {run} was deleted.",
    # --- h4-quality
    "diag.verdict.not clear yet": "not clear yet",
    "diag.rule": "The rule: overfitting is called only when validation loss stays at least "
                 "{rise:.0%} above its best for {k} whole epochs in a row while training loss "
                 "keeps falling and training accuracy ends at least {gap:g} points above "
                 "validation accuracy, or when the accuracy gap is at least {big:g} points in "
                 "each of the last {k} whole epochs.",
    "diag.not_clear": "Not clear yet after {n:|whole epoch|whole epochs}: validation loss was "
                      "lowest at epoch {best} and is now {rise:.1%} above it; training accuracy "
                      "is {gap:.1f} points above validation accuracy.",
    "diag.partial_left_out": "Epoch {epoch} stopped part-way and is left out: its numbers cover "
                             "only part of the training images.",
    "les.padding.disagree": "Keras refuses VALID here: the kernel is larger than the input, so "
                            "there is no output at all; the tutorial's formula gives {valid}, which "
                            "is not a size. The SAME formula agrees with Keras: SAME adds "
                            "{before:|zero|zeros} before and {after} after on each axis.",
    "les.padding.no_output": "no output",
    # --- h1-upload
    "upl.bad_name": "{name}: the file name has control characters; rename the file and upload it again",
    # --- h8-summary
    "sum.not_analysed": "not analysed",
    "sum.total_params": "Total params: {params:,} (trainable {trainable:,}, non-trainable {fixed:,}); weights {mb:.2f} MB as float32",
    "sum.total_macs": "Multiply-adds per image: {macs:,} (about {mflops:,.1f} MFLOPs)",
    "sum.not_analysed_total": "{n} rows not analysed: their layer type or setting is not modelled here, so they show Keras' own output shape and parameters and no multiply-adds (the totals leave those out).",
    "sum.cli_arch": "{name} on {shape} inputs, {classes} classes ({source})",
    "sum.cli_file": "{file}: input {shape}, {layers} rows",
    "gal.not_analysed_note": "{n} rows are not analysed (their type or setting is not modelled): they show Keras' own output shape and parameters, and their multiply-adds are left out of the total.",
    "gal.app_input": "Input (keras.applications, built without weights)",
    "store.python_code": "{file}: this model contains Python code and is not loaded (safe mode)",
    "zoo.mobilenet.description": "Depthwise separable convolutions: a 3x3 filter per channel, then a 1x1 convolution mixing channels, for a fraction of the multiply-adds.",
    "zoo.mobilenetv2.description": "Inverted residual blocks: a 1x1 expansion, a 3x3 depthwise convolution and a linear 1x1 bottleneck, with skip connections between the thin ends.",
    "zoo.mobilenetv3small.description": "MobileNetV2's blocks found by architecture search, with squeeze-and-excitation and the hard-swish activation; the small variant.",
    "zoo.mobilenetv3large.description": "MobileNetV2's blocks found by architecture search, with squeeze-and-excitation and the hard-swish activation; the large variant.",
    "zoo.resnet50.description": "Fifty layers of bottleneck residual blocks (1x1, 3x3, 1x1 convolutions) whose identity shortcuts let the gradient through.",
    "zoo.efficientnetb0.description": "Mobile inverted residual blocks with squeeze-and-excitation, scaled in depth, width and resolution together.",
    "zoo.densenet121.description": "Every layer of a dense block receives the feature maps of all layers before it (concatenation instead of addition).",
    "zoo.xception.description": "Inception taken to the extreme: separable convolutions everywhere, with residual connections.",
    "zoo.inceptionv3.description": "Inception modules with factorised convolutions (a 7x7 becomes 1x7 then 7x1) and parallel branches joined by concatenation.",
    "zoo.convnexttiny.description": "A ResNet modernised after vision transformers: 7x7 depthwise convolutions, layer normalisation, GELU and inverted bottlenecks.",
    # --- h5-explainer
    "xp.stack_label": "Layer stack: {n:|layer|layers} on a {size}×{size}×{ch} input",
    "xp.stack_help": "Click a cell to change it; the + under the table adds a row, ticking rows "
                     "shows a bin to delete them.",
    "xp.play": "Play",
    "xp.pause": "Pause",
    "xp.speed": "Speed",
    "xp.speed_slow": "slow",
    "xp.speed_normal": "normal",
    "xp.speed_fast": "fast",
    "xp.rf_click": "Click a cell of the output grid to pick it.",
    "xp.rf_blocks": " To keep the view small the input is drawn in {f}×{f}-pixel blocks and "
                    "the output in {g}×{g}-cell blocks (each block shows its largest value); "
                    "the numbers below are exact.",
    "xp.filter_range": " Colours span the 1st to 99th percentile of the output away from the zero-"
                       "padded border, so the border's strong answer does not wash out the picture"
                       " (stronger pixels show at full colour).",
    "xp.sliding_settings": "Grid and kernel: size, kernel, stride, padding, dilation",
    # --- h7-words
    "term.airplane": "airplane", "term.automobile": "automobile", "term.bird": "bird",
    "term.cat": "cat", "term.deer": "deer", "term.dog": "dog", "term.frog": "frog",
    "term.horse": "horse", "term.ship": "ship", "term.truck": "truck",
    "term.not trained yet": "not trained yet",
    "term.trained on MNIST": "trained on MNIST",
    "term.trained on CIFAR-10": "trained on CIFAR-10",
    "term.trained on MNIST and CIFAR-10": "trained on MNIST and CIFAR-10",
    "gal.top5": "ImageNet top-5 error",
    "gal.compare_acc": "Labels give each trained model's best test accuracy with its dataset: "
                       "MNIST digits and CIFAR-10 photos are different tasks, so their "
                       "accuracies are not on one scale.",
    "tr.data_limit": "This run uses only the first {n:,} training images (limit).",
    "pred.only_classes": "This model knows only its {n} classes: whatever the picture shows, it "
                         "answers with one of them.",
    "pred.not_a_photo": "This looks like a black-and-white drawing or scan, not a colour photo "
                        "of one of this model's {n} classes ({classes}). The model must still "
                        "pick one of them, so its answer means nothing here; use a digit model "
                        "for digits.",
    "app.tutorials": "The tutorials are the five Chinese CNN tutorials this app teaches from: "
                     "0 卷积神经网络 course notes (ch. 0.6); 1 TensorFlow 2.0 Tutorial, part 5 "
                     "(MNIST to 99%); 2 K同学啊's 365天深度学习训练营, week T2 (CIFAR-10); "
                     "3 TensorFlow2 class 5 notes (LeNet to ResNet); 4 AIGC实战: CNN on CIFAR-10.",
    # zoo.info()['source'] of each architecture, and its short form before ' ('
    "term.Tutorial 2 (CIFAR-10 CNN, with the Dropout(0.4) variant)": (
        "Tutorial 2 (CIFAR-10 CNN, with the Dropout(0.4) variant)"),
    "term.Tutorial 1 (TensorFlow 2.0 tutorial, MNIST to 99%)": (
        "Tutorial 1 (TensorFlow 2.0 tutorial, MNIST to 99%)"),
    "term.Tutorials 0 and 3 (the 'Baseline' class, CBAPD)": (
        "Tutorials 0 and 3 (the 'Baseline' class, CBAPD)"),
    "term.Tutorial 4 (AIGC in practice: CNN on CIFAR-10, 73.8%)": (
        "Tutorial 4 (AIGC in practice: CNN on CIFAR-10, 73.8%)"),
    "term.Tutorial 3 (TF2 course 5.11; LeCun et al. 1998)": (
        "Tutorial 3 (TF2 course 5.11; LeCun et al. 1998)"),
    "term.Tutorial 3 (TF2 course 5.12; Krizhevsky et al. 2012)": (
        "Tutorial 3 (TF2 course 5.12; Krizhevsky et al. 2012)"),
    "term.Tutorial 3 (TF2 course 5.13; Simonyan & Zisserman 2014)": (
        "Tutorial 3 (TF2 course 5.13; Simonyan & Zisserman 2014)"),
    "term.Tutorial 3 (TF2 course 5.14; Szegedy et al. 2014, GoogLeNet)": (
        "Tutorial 3 (TF2 course 5.14; Szegedy et al. 2014, GoogLeNet)"),
    "term.Tutorial 3 (TF2 course 5.15; He et al. 2015)": (
        "Tutorial 3 (TF2 course 5.15; He et al. 2015)"),
    "term.cnnweb (shipped MNIST model)": (
        "cnnweb (shipped MNIST model)"),
    "term.cnnweb (shipped CIFAR-10 model)": (
        "cnnweb (shipped CIFAR-10 model)"),
    "term.cnnweb (time-to-accuracy recipe)": (
        "cnnweb (time-to-accuracy recipe)"),
    "term.Tutorial 2": (
        "Tutorial 2"),
    "term.Tutorial 1": (
        "Tutorial 1"),
    "term.Tutorials 0 and 3": (
        "Tutorials 0 and 3"),
    "term.Tutorial 4": (
        "Tutorial 4"),
    "term.Tutorial 3": (
        "Tutorial 3"),
    "term.share of row": "share of row",
    "ui.building_model": "Building the model…",
    "ui.loading_model": "Loading the model…",
    "ds.not_found": "{title} not found: put {file} in {folder} or set CNNWEB_DATA_DIR to a "
                    "folder that holds it",
    # --- h6-fast
    "term.onecycle": "one-cycle (warm up, then cosine)",
    "term.Fast: tutorial 1's CNN to 99% in one epoch": "Fast: tutorial 1's CNN to 99% in one epoch",
    ("term.What makes it fast: tutorial 1's own network, one epoch instead of five. "
     "Batches of 128 instead of 32 do more work per step; the learning rate warms up "
     "from 0 to 0.01 and falls back to 0 (one-cycle), so the big steps come when they "
     "help and the last ones settle; label smoothing 0.1 keeps it from growing "
     "overconfident; no validation split, so every image trains; mixed precision "
     "(bfloat16 on a CPU with AMX, where it trains twice as fast; float16 on a GPU). "
     "About 99.2% test accuracy: on a CPU with AMX in under a fifth of tutorial 1's "
     "time, elsewhere in about a quarter"): (
        "What makes it fast: tutorial 1's own network, one epoch instead of five. Batches"
        " of 128 instead of 32 do more work per step; the learning rate warms up from 0"
        " to 0.01 and falls back to 0 (one-cycle), so the big steps come when they help"
        " and the last ones settle; label smoothing 0.1 keeps it from growing "
        "overconfident; no validation split, so every image trains; mixed precision "
        "(bfloat16 on a CPU with AMX, where it trains twice as fast; float16 on a GPU). "
        "About 99.2% test accuracy: on a CPU with AMX in under a fifth of tutorial 1's "
        "time, elsewhere in about a quarter"),
    "term.Fast: CIFAR-10 to 80% in tutorial 2's time": "Fast: CIFAR-10 to 80% in tutorial 2's time",
    "term.What makes it fast: five 3x3 convolutions with no batch norm (on a CPU batch norm cost more than the convolutions), only one of them on the full 32x32 maps, pixels centred on zero, mixed precision (bfloat16 on a CPU with AMX, float16 on a GPU), batches of 128, a one-cycle learning rate up to 0.006, label smoothing 0.1, mirror flips while training and at test time, no validation split. About 81% test accuracy after 8 epochs: on a CPU with AMX in under tutorial 2's time, elsewhere slower": (
        "What makes it fast: five 3x3 convolutions with no batch norm (on a CPU batch norm cost more than the convolutions), only one of them on the full 32x32 maps, pixels centred on zero, mixed precision (bfloat16 on a CPU with AMX, float16 on a GPU), batches of 128, a one-cycle learning rate up to 0.006, label smoothing 0.1, mirror flips while training and at test time, no validation split. About 81% test accuracy after 8 epochs: on a CPU with AMX in under tutorial 2's time, elsewhere slower"),
    "term.Quick: CIFAR-10 to 75% in half tutorial 2's time": "Quick: CIFAR-10 to 75% in half tutorial 2's time",
    "term.What makes it fast: the fast CIFAR-10 preset for 4 epochs instead of 8. About 76% test accuracy: on a CPU with AMX in under half of tutorial 2's time, elsewhere slower": (
        "What makes it fast: the fast CIFAR-10 preset for 4 epochs instead of 8. About 76% test accuracy: on a CPU with AMX in under half of tutorial 2's time, elsewhere slower"),
    # --- lead: run endings in the reader's language
    "run.stopped": "stopped by request after {done:|full epoch|full epochs}; model saved",
    "run.stopped_part": "stopped by request after {done:|full epoch|full epochs} and part of "
                        "epoch {next}; model saved",
    # --- h-words
    "tex.out": "out",
    "tex.in": "in",
    "tex.eff": "eff",
    "tex.before": "before",
    "tex.after": "after",
    "tex.start": "start",
    "tex.same_zeros": "same: zeros",
    "tex.split": "split {before} before, {after} after",
    "tex.pool_none": "pooling has no weights:",
    "xp.pool_no_weights": "0 (pooling has no weights)",
    "tex.row": "row {n}:",
    "tex.bias": "bias",
    "img.formats": "PNG, JPEG, BMP, GIF, WebP or TIFF",
    "img.too_big": "{file}: the file is {mb:.1f} MB; the limit is {limit} MB",
    "img.not_regular": "{file}: not a regular file (a folder, device or pipe); give an image file",
    "img.unreadable": "{file}: cannot be read ({error})",
    "img.format": "{file}: {format} images are not supported; use {formats}",
    "img.megapixels": "{file}: the image is {w}x{h} ({mp:.0f} megapixels); the limit is {limit:.0f} megapixels",
    "img.empty": "{file}: the file is empty (0 bytes)",
    "img.not_image": "{file}: not an image (or not a format that can be read: use {formats})",
    "img.bomb": "{file}: the image has too many pixels, far more than the limit of {limit:.0f} megapixels (a decompression bomb?)",
    "img.too_large": "{file}: the image is too large to decode",
    "img.damaged": "{file}: the image data is damaged or incomplete ({error})",
    "img.no_digit": "{file}: no digit found (the picture is blank or has too little contrast)",
    "img.not_square": "digit preprocessing needs a square input, not {h}x{w}",
    "img.channels": "models with {c} input channels are not supported (only 1 or 3)",
    "img.named": "{file}: {error}",
    "flt.not_numbers": "Write the kernel as numbers, rows separated by ';', e.g. '1 0 -1; 2 0 -2; 1 0 -1'.",
    "flt.not_square": "The kernel must be square, 1×1 to 9×9: you wrote {n:|row|rows} of {widths} number(s).",
    "flt.not_finite": "The kernel's numbers must be finite.",
    "term.row %{y}, col %{x}: %{z}<extra></extra>": "row %{y}, col %{x}: %{z}<extra></extra>",
    "term.row %{y}, col %{x} · paths: %{z:,}<extra></extra>": "row %{y}, col %{x} · paths: %{z:,}<extra></extra>",
    "term.rows/cols %{y}, %{x} ± %{meta[0]} · paths: up to %{z:,}<extra></extra>": "rows/cols %{y}, %{x} ± %{meta[0]} · paths: up to %{z:,}<extra></extra>",
    "term.row %{y}, col %{x}: click to pick<extra></extra>": "row %{y}, col %{x}: click to pick<extra></extra>",
    "term.row %{y}, col %{x}: %{z:.1f}<extra></extra>": "row %{y}, col %{x}: %{z:.1f}<extra></extra>",
    "term.true %{y}, predicted %{x}: %{text} (%{customdata:.1f}% of %{y})<extra></extra>": "true %{y}, predicted %{x}: %{text} (%{customdata:.1f}% of %{y})<extra></extra>",
    "term.%{text}<br>%{y:,} parameters<br>%{x:,} multiply-adds%{customdata[0]}<extra></extra>": "%{text}<br>%{y:,} parameters<br>%{x:,} multiply-adds%{customdata[0]}<extra></extra>",
    "dev.gpu": "GPU: {names}",
    "dev.cpu": "CPU only ({n} cores): {cpu}",
    "dev.run_gpu": "GPU: {names}",
    "dev.run_gpus": "GPU: {names} (MirroredStrategy)",
    "dev.run_cpu": "CPU only ({n} cores, {machine}); no GPU found",
    "dev.run_mp": "{device}, mixed precision float16",
    "dev.run_bf16": "{device}, mixed precision bfloat16",
    "ds.src_sample": "shipped sample of {title} ({file}, {n:,} training images); put the full set in data/ or set CNNWEB_DATA_DIR for real accuracy",
    "ds.src_full": "full {title} from {path} ({where}), {n:,} training images",
    "ds.src_partial": "partial {title} from {path} ({where}), {n:,} training images",
    "ds.where_given": "given path",
    "ds.where_env": "CNNWEB_DATA_DIR",
    "ds.where_data": "data/",
    "ds.where_cache": "Keras cache",
    "ds.where_downloaded": "downloaded into the Keras cache",
    "ds.where_sample": "shipped sample",
    # --- h-slots
    "run.waiting": "waiting for a free training slot",
    "run.stopped_queued": "stopped before it started",
    "run.student_cap": "{owner} already has {n:|run|runs} training or waiting, the most one "
                       "student may have at once: wait until one ends, or stop one",
    "run.queue_full": "the training queue is full ({n:,|run is|runs are} waiting already): try "
                      "again when one has started",
    # --- lead: a run's share in its device line
    "dev.run_threads": "{device}; {n:|CPU thread|CPU threads} for this run",
    "dev.run_gpu_memory": "{device}, {mb} MB GPU memory",
    # --- h-design
    "xp.head": "Classifier head",
    "xp.head_help": "After the last layer the feature map becomes one vector: Flatten keeps every "
                    "value (h×w×c of them), global average pooling keeps one average per channel "
                    "(c of them, far fewer weights in the next Dense).",
    "xp.head_flatten": "Flatten",
    "xp.head_gap": "Global average pooling",
    "xp.head_units": "Hidden Dense units",
    "xp.head_units_help": "A Dense layer with ReLU between the feature vector and the classifier; "
                          "0 leaves it out.",
    "xp.head_dropout": "Dropout",
    "xp.head_classes": "Classes",
    "xp.head_error": "This link's classifier head could not be read, so the default head is "
                     "shown. {error}",
    "xp.m_params_help": "The layers above plus the classifier head (the rows after the last "
                        "layer); Keras' count_params() gives the same.",
    "xp.train": "Train this network",
    "xp.train_on": "Opens the Trainer with this network on {title} ({shape}, {classes} classes): "
                   "{n:,} parameters there.",
    "xp.train_adapt": "The Trainer builds it for that input, so its numbers there differ from "
                      "this table's.",
    "xp.train_cannot": "Cannot be trained yet: {why}",
    "xp.train_channels": "the Trainer's datasets have these channels: {have}; this stack's "
                         "input has {ch}.",
    "xp.train_unfit": "on {title}'s {shape} pictures: {error}",
    "xp.keras_stride_dilation": "layer {i} ({kind}): Keras cannot train stride {s} together "
                                "with dilation {d}; set one of them to 1.",
    "xp.keras_tpad": "layer {i} ({kind}): Keras' Conv2DTranspose takes only valid or same "
                     "padding.",
    "tr.arch_link_error": "This link's architecture could not be used, so the form keeps its "
                          "settings: {error}",
    "tr.stack_option": "Your network from the Explainer",
    "tr.stack_arch": "`{code}` · {n:,} parameters on {shape}",
    "tr.stack_unfit": "This network cannot take {shape} pictures: {error} Change the dataset, "
                      "or the stack in the Explainer.",
    "xp.head_table": "The classifier head (its parameters are in the total above):",
    # --- h-byom
    "store.bad_suffix": "{file}: not a model file; give a .keras file (or a Keras 2 .h5 file)",
    "store.not_hdf5": "{file} is not an HDF5 file, so it cannot be a Keras .h5 model",
    "byom.busy": "Other model files are being checked right now; try again in a minute",
    "byom.timeout": "{file}: checking the model took longer than {s} s and was stopped",
    "byom.memory": "{file}: checking the model needed more than {mb:,} MB of memory and was stopped",
    "byom.crashed": "{file}: the process checking the model stopped unexpectedly (exit code {code}); the file is damaged or not supported",
    "byom.names_count": "{n} class names given, but the model has {units} outputs: give exactly {units}, separated by commas",
    "byom.names_bad": "a class name must be 1 to {chars} printable characters: '{name}'",
    "byom.names_repeat": "each class name must be different",
    "byom.bad_sidecar": "{file} is not a JSON metadata object",
    "byom.upload_help": "A Keras model file: .keras (Keras 3) or .h5 (Keras 2), at most {mb} MB. It is opened in safe mode in a separate process; nothing is saved unless you save it.",
    "byom.checking": "Checking the model file in a separate process…",
    "exp.bad_format": "unknown format {fmt}: choose one of {formats}",
    "exp.out_folder": "{out} is a folder: give a file name",
    "exp.out_exists": "{out} already exists: choose another file, or add --force to replace it",
    "exp.no_folder": "the folder {folder} does not exist",
    "term.Model file": "Model file",
    "term.Stored model": "Stored model",
    "gal.byom_intro": "Look inside any Keras model: upload a .keras file (or a Keras 2 .h5). Layers that run Python code (Lambda, custom classes) are refused in safe mode.",
    "gal.byom_upload": "Model file (.keras or .h5)",
    "gal.byom_facts": "Input **{input}**, output **{output}**, **{params:,}** parameters (Keras' count_params), {convs} convolution layers.",
    "gal.byom_save_title": "Keep it in your models",
    "gal.byom_save_name": "Name in the model store (a name that is taken is never replaced)",
    "gal.byom_save": "Save to my models",
    "gal.byom_saved": "Saved as {name}: it is now under Trained models and in Predict.",
    "gal.download_tflite": "Download {file} (TensorFlow Lite)",
    "gal.tflite_help": "Converted with TensorFlow's own TFLite converter when you click (a few seconds), float32 weights.",
    "pred.origin": "Which model",
    "pred.byom_upload": "Model file (.keras or .h5)",
    "pred.byom_hint": "Upload a Keras model file: its input size and channels come from the model. The model gets raw pixels 0..255, so it must include its own scaling (a Rescaling layer).",
    "pred.byom_sidecar": "Optional: its metadata file NAME.json (class names)",
    "pred.byom_names": "Class names, separated by commas",
    "pred.byom_names_help": "One name per output of the model, in order, e.g. cat, dog, bird. Without names the classes are numbered.",
    "pred.byom_facts": "File {file}: input {shape}",
    "pred.cam_layer": "Grad-CAM layer",
    "pred.cam_auto": "automatic (the last feature map)",
    # --- h-compare
    "run.name_long": "a run name has at most {most} characters (this one has {n})",
    "run.name_control": "a run name cannot hold control characters or line breaks",
    "tr.cm_click": "Click a cell of the matrix to see its test images.",
    "tr.cm_cell": "**True {true}, predicted {pred}**: {n:|test image|test images}",
    "tr.cm_cell_none": "This run kept no images of this cell (it was trained before the app "
                       "kept them).",
    "tr.cm_cell_empty": "No test image falls in this cell.",
    "tr.cm_cell_some": "The {shown} most confident of {n} shown.",
    "tr.col_run": "run",
    "tr.col_name": "name",
    "tr.col_best_acc": "best val accuracy",
    "tr.col_best_epoch": "at epoch",
    "tr.col_low_loss": "lowest val loss",
    "tr.rename_run": "Rename a run",
    "tr.rename_to": "New name (empty = none)",
    "tr.rename_help": "Shown in the lists, the legend and the table instead of the run's "
                      "description; at most {n} characters, stored in the run's folder.",
    "tr.rename": "Rename",
    "tr.rename_bad": "Cannot rename: {error}",
    "tr.renamed": "Renamed to {name}",
    "tr.rename_cleared": "Name removed",
    "tr.smoothing": "Smoothing",
    "tr.smoothing_help": "TensorBoard's smoothing: an exponential moving average (debiased, so "
                         "the first point is the real value); the raw curve stays faint "
                         "behind it. 0 = raw.",
    "tr.log_loss": "Log-scale loss",
    # --- h-data
    "dset.bad_name": "{name!r}: a dataset name has at most {limit} letters, digits, underscores, hyphens or dots, starting with a letter or digit (try {suggestion})",
    "dset.builtin_name": "{name} is a built-in dataset's name; choose another name",
    "dset.what_zip": "a zip archive of class folders",
    "dset.link": "{file}: a link, skipped (only ordinary files are read)",
    "dset.bad_path": "{file}: an unsafe path (absolute, a drive, a backslash or '..'), skipped",
    "dset.encrypted": "{file}: encrypted, skipped",
    "dset.loose": "{file}: not inside a class folder, skipped",
    "dset.file_big": "{file} is {size}, more than the {limit} allowed for a picture, skipped",
    "dset.unreadable": "{file} cannot be read ({why}), skipped",
    "dset.bad_class": "class folder {name}: the name has control characters or more than {limit} characters, skipped",
    "dset.too_many_classes": "{n:,} class folders, more than the {limit} allowed",
    "dset.few_classes": "{n} class folder(s) with pictures ({classes}); a dataset needs at least {min}: put each class's pictures in a folder of its own",
    "dset.few_pictures": "too few pictures in {classes}: each class needs at least {min} usable pictures",
    "dset.too_many_pictures": "{n:,} pictures, more than the {limit:,} allowed",
    "dset.too_big": "{n:,} pictures of {side}x{side} would take more than {limit}: choose a smaller picture size",
    "dset.bad_split": "the test split must be between 0.05 and 0.5, got {value}",
    "dset.bad_size": "the picture size must be a whole number from {min} to {max}, got {value}",
    "dset.more_skipped": "... and {n:,} more files skipped",
    "dset.taken": "a dataset named {name} already exists; choose another name (nothing was changed)",
    "dset.unknown": "no kept dataset named {name} (kept: {known})",
    "dset.bad_meta": "{file} is not a usable dataset description ({why})",
    "dset.source": "your dataset {name}: {n:,} training pictures, {test:,} held out for the test ({split} of each class), {classes} classes, {shape} {colour}",
    "dset.grey": "grey",
    "dset.rgb": "colour (RGB)",
    "tr.own_title": "Your own pictures",
    "tr.own_help": "A .zip of class folders: one folder per class (its name is the class), at least {min:|picture|pictures} in each (PNG, JPEG, BMP, GIF, WebP or TIFF). The pictures are resized to one square size (the most common, at most {max:|pixel|pixels}) and part of each class is held out for the test.",
    "tr.own_upload": "Upload a .zip of class folders",
    "tr.own_name": "Dataset name (empty: the file's name)",
    "tr.own_split": "Held out for the test",
    "tr.own_size": "Picture size in pixels (0: automatic)",
    "tr.own_keep": "Check and keep",
    "tr.own_none": "Choose a .zip file first.",
    "tr.own_failed": "This dataset cannot be used: {error}",
    "tr.own_kept": "Kept as {name}: {n:,} pictures in {k} classes. It is selected above.",
    "tr.own_reused": "These pictures are already kept as {name} ({n:,} pictures in {k} classes); it is selected above.",
    "tr.own_skipped": "{n:,|file|files} skipped:",
    "tr.own_facts": "Pictures {shape}, {colour}; {split} of each class held out for the test (seed {seed}), never used in training.",
    "tr.own_grey": "grey",
    "tr.own_rgb": "colour (RGB)",
    "tr.own_class": "class",
    "tr.own_train_n": "training pictures",
    "tr.own_test_n": "test pictures",
    "tr.own_grid": "**Sample pictures** (training split, as the network sees them)",
    "tr.ft_from": "Start from a trained model (transfer learning)",
    "tr.ft_help": "Its convolutional base is reused and frozen, and a new head learns your classes: few pictures are enough. Then, optionally, a few epochs with the base unfrozen at a tenth of the learning rate (fine-tuning).",
    "tr.ft_none": "none: train from scratch",
    "tr.ft_epochs": "Fine-tuning epochs (base unfrozen)",
    "tr.ft_note": "The convolutional base of {model} is frozen and a new head learns this dataset's classes; a different picture size or colour is adapted (resized, channels converted) and said in the run's log.",
    # --- h-class
    "nav.board": "Class board",
    "board.caption": "Every active and recent run of the class, best first; it refreshes by itself.",
    "board.counts": "{shown} runs on the board, {active} training or waiting",
    "board.empty": "No runs on the board yet: they appear here as soon as a student starts one.",
    "board.leader": "Leader: **{name}**, {acc}",
    "board.student": "student",
    "board.best_val": "best val accuracy",
    "board.word": "diagnosis",
    "board.epochs_done": "epochs done",
    "board.clear": "Clear the board",
    "board.clear_help": "Runs that have ended leave the board; their files and models stay.",
    "board.cleared": "Board cleared: ended runs are hidden, nothing was deleted.",
    "board.clear_failed": "The board cannot be cleared: {problem}",
    "cls.who": "Your name",
    "cls.who_hint": "shown on your runs and models",
    "cls.who_bad": "A name is 1 to {n} printable characters.",
    "cls.key": "Teacher key",
    "cls.teacher_on": "Teacher mode: you may stop any run, delete models and clear the board.",
    "cls.key_wrong": "That is not the class key.",
    "cls.owner": "Owner: {name}",
    "cls.owner_nobody": "Owner: nobody (started from the command line or before class mode)",
    "cls.teacher_only": "Only the teacher may do this: type the teacher key in the sidebar.",
    "cls.not_yours": "This belongs to {name}: only they or the teacher may stop or delete it.",
    "cls.everyone": "Everyone's runs (read only)",
    "cls.need_name": "Type your name in the sidebar first: your runs carry it.",
    "cls.no_mine": "You have no runs yet. Turn on “Everyone's runs” to watch the class.",
    # --- lead: merge fixes
    "term.true %{y}, predicted %{x}: %{customdata[2]} (%{customdata[3]:.1f}% of %{y})<extra></extra>":
        "true %{y}, predicted %{x}: %{customdata[2]} (%{customdata[3]:.1f}% of %{y})<extra></extra>",
    # --- words made where they are made: stack.describe / keras_notes, summary's config column
    "stack.desc": "{kind} {k}×{k}{more}",
    "stack.desc.filters": ", {n:,|filter|filters}{more}",
    "stack.desc.stride": ", stride {s}{more}",
    "stack.desc.dilation": ", dilation {d}{more}",
    "stack.desc.zeros": ", {n:,|zero|zeros}{more}",
    "stack.desc.padding": ", {padding}{more}",
    "stack.note.stride_dilation": ("Keras refuses stride > 1 together with dilation > 1 (PyTorch "
                                   "allows it)."),
    "stack.note.full": ("Keras has no 'full' padding: add ZeroPadding2D(kernel − 1) before a "
                        "valid layer."),
    "stack.note.zeros": "In Keras: ZeroPadding2D({n}) followed by a 'valid' layer.",
    "sum.cfg.rate": "rate {rate:g}",
    "sum.cfg.window": "{kh}x{kw} /{sh} {padding}",
    "sum.cfg.window_dil": "{kh}x{kw} /{sh} {padding} dil {dil}",
    "sum.cfg.units": "{n:,|unit|units}",
    "sum.cfg.branches": "{n:,|branch|branches}",
    "sum.cfg.inputs": "{n:,|input|inputs}",
    # --- chart panel titles (cnnweb.charts, made in the reader's language)
    "chart.step.input": "input {h}×{w}",
    "chart.step.input_padded": "input {h}×{w} + zero padding (grey)",
    "chart.step.kernel": "kernel {h}×{w}",
    "chart.step.products": "input × kernel",
    "chart.step.output": "output {h}×{w}",
    "chart.rf.input": "input {h}×{w}: pixels the cell sees (darker = more paths)",
    "chart.rf.output": "output {h}×{w}: the chosen cell",
    # --- h-ray
    "run.worker_lost": "worker lost: the Ray worker on {node} that trained this run died or was "
                       "killed; what it wrote until then stays in the run folder",
    "dev.run_ray": "{device}; on Ray node {node}",
    "chart.board.others": "other runs ({n})",
    # --- h-byo
    "cam.full": "The webcam pictures of this session are at their limit ({n:,} pictures or {size} together): keep them as a dataset or remove a class to take more.",
    "cam.bad_class": "A class name is 1 to {limit} printable characters, without “/”.",
    "cam.no_class": "Add a class first: each picture joins the class it is taken for.",
    "cam.need_classes": "Still missing: {n:|class|classes} (a dataset needs at least {min} classes).",
    "cam.need_pictures": "Still missing: more pictures in {classes} (pictures still needed); each class needs at least {min}.",
    "tr.cam_on": "Take pictures with the webcam",
    "tr.cam_where": "Browsers allow the camera only on `localhost` or an `https://` address; at another address the camera stays unavailable.",
    "tr.cam_bounds": "At most {n:,} pictures in a session; they stay in this browser tab until kept.",
    "tr.cam_class": "New class name",
    "tr.cam_add_class": "Add class",
    "tr.cam_first": "Type a class name and add it, then take pictures for it; add the next class the same way.",
    "tr.cam_for": "Taking pictures for",
    "tr.cam_take": "Take a picture (it joins the class chosen above)",
    "tr.cam_count": "**{cls}**: {n:,|picture|pictures}",
    "tr.cam_remove": "Remove",
    "tr.cam_name": "Dataset name (empty: webcam)",
    "tr.cam_keep": "Keep {n:,|picture|pictures} as a dataset",
    "term.Webcam": "Webcam",
    "pred.cam_take": "Take a picture to classify",
    "pred.cam_hint": "Take a picture: it is prepared and classified like an uploaded picture.",
    "gal.arch_link_error": "This link's architecture cannot be shown: {error}",
    "gal.stack_desc": "**Your network from the Explainer**: {n:|layer|layers}, then its classifier head; code `{code}`.",
}
