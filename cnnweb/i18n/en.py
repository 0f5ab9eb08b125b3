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
}
