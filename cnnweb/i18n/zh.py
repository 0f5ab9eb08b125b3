"""简体中文界面文字（与 en.py 的键和占位符一一对应；术语沿用教程：卷积核、步长、全零填充、感受野、池化、过拟合）。"""

MESSAGES = {
    # ---------------------------------------------------------------- app：导航与侧边栏
    "app.title": "cnnweb：边玩边学卷积神经网络",
    "nav.home": "首页",
    "nav.explainer": "原理演示",
    "nav.lessons": "课程",
    "nav.trainer": "训练",
    "nav.gallery": "模型库",
    "nav.predict": "预测",
    "app.present": "演示模式",
    "app.present_help": "为投影仪放大文字和图表，减少控件，收起侧边栏。保存在链接中（?present=true）。",

    # ---------------------------------------------------------------- 首页
    "home.intro": "动手玩，学会卷积神经网络：看卷积对图像做了什么，训练一个网络并看着它学习，比较不同的"
                  "网络结构，再问训练好的模型它在你的手写图中看到了什么。",
    "home.card_explainer": "堆叠卷积层和池化层，查看输出尺寸、参数量、乘加次数和感受野，公式代入数字逐步算出；"
                           "让卷积核在网格上一步步滑动；在真实图片上比较最大池化与均值池化和经典滤波器。",
    "home.card_lessons": "课堂上用的分步课程，每一步都有可调的控件：两层 3×3 与一层 5×5、SAME 与 VALID "
                         "填充、CBAPD，以及 Dropout 如何解决 CIFAR 模型的过拟合。",
    "home.card_trainer": "在后台用 MNIST 或 CIFAR-10 训练卷积神经网络，实时显示损失和准确率曲线，用文字诊断"
                         "过拟合，保存训练历史和混淆矩阵。",
    "home.card_gallery": "教程中的每一种网络结构和每一个训练好的模型：逐层表格、参数量、结构图以及训练它的"
                         "那次运行的曲线。",
    "home.card_predict": "手写一个数字或上传图片，查看最可能的几个类别、模型实际看到的输入、特征图和 "
                         "Grad-CAM 热力图。",
    "home.lessons": "开始一节课",
    "home.lessons_caption": "取材于教程的分步课程，一步接一步。",
    "home.views_caption": "或者在原理演示页打开一个准备好的视图：",
    "home.view_mnist": "教程里的 MNIST 网络，逐层分析",
    "home.view_vgg": "为什么 VGG16 最后一个池化层能看到 212 个像素",
    "home.view_sliding": "卷积核在网格上滑动，一次一步",
    "home.view_pooling": "照片上的边缘、模糊和池化",
    "home.computer": "这台计算机",
    "home.cpu_note": "训练在 CPU 上进行：教程中的小网络每轮（epoch）需要几秒到一分钟；更深的网络"
                     "（ResNet 类）会慢得多。",
    "home.datasets": "数据集",
    "home.datasets_error": "无法列出数据集：{error}",
    "home.ds_missing": ":material/cancel: **{title}**：未找到。{source}",
    "home.ds_sample": ":material/science: **{title}**：只有随应用附带的小样本（训练集 {n_train:,} 张 / "
                      "测试集 {n_test:,} 张）：用来尝试足够，但不足以得到好的准确率。",
    "home.ds_hint": "完整数据集：把 mnist.npz 或 cifar10.npz 放进 data/ 目录，或者让 CNNWEB_DATA_DIR "
                    "指向存放它们的文件夹。",
    "home.models": "训练好的模型",
    "home.models_error": "无法列出模型：{error}",
    "home.no_models": "还没有训练好的模型：去训练页训练一个吧。",
    "home.shipped": "随附",
    "home.yours": "你的",
    "home.ready": "可用",
    "home.see_gallery": "在模型库中查看",
    # 多个页面共用的表格列名
    "col.model": "模型",
    "col.arch": "网络结构",
    "col.dataset": "数据集",
    "col.test_acc": "测试准确率",
    "col.from": "来源",
    "col.status": "状态",
    # ---------------------------------------------------------------- cnnweb.diagnose 的诊断
    "diag.verdict.too early": "为时尚早",
    "diag.verdict.diverged": "发散",
    "diag.verdict.overfitting": "过拟合",
    "diag.verdict.underfitting": "欠拟合",
    "diag.verdict.learning": "仍在学习",
    "diag.verdict.good": "良好",
    "diag.verdict.no validation": "无验证集",
    "diag.rem.early_stopping": "早停（Early Stopping）：最好的模型出现在第 {epoch} 轮（验证集损失 "
                               "{loss:.3f}）；只训练 {epoch} 轮，或打开早停并设耐心值为 2，以保留最佳"
                               "一轮的权重。",
    "diag.rem.add_dropout": "Dropout（舍弃）：加入 Dropout（例如 0.4）。在种子教程 002 中，Dropout(0.4) "
                            "加上 15 轮训练把 CIFAR-10 测试准确率从 71.17% 提高到 73.29%。",
    "diag.rem.raise_dropout": "Dropout（舍弃）：把比例从 {old:g} 提高到 {new:g}。",
    "diag.rem.augment": "数据增强：打开它（随机平移，CIFAR-10 还有水平翻转），让模型永远不会两次看到完全"
                        "相同的图片。",
    "diag.rem.why_sample": "（随附的小样本）",
    "diag.rem.why_limit": "（--limit）",
    "diag.rem.more_data_n": "更多数据：这次只用了 {n:,} 张图片训练{why}；完整的数据集是最好的正则化。",
    "diag.rem.more_data": "更多数据：这次只用了很少的图片训练{why}；完整的数据集是最好的正则化。",
    "diag.rem.weight_decay": "权重衰减：例如 1e-4（AdamW），让权重保持较小。",
    "diag.rem.batchnorm": "批标准化：带 BatchNormalization 的网络（种子教程 004 的 BN + LeakyReLU "
                          "网络在 CIFAR-10 上达到 73.79%）训练更稳定，也有一点正则化作用。",
    "diag.rem.smaller": "更小的模型：更少的卷积核或全连接神经元，留给死记硬背的空间就更少。",
    "diag.diverged": "训练在第 {epoch} 轮发散：损失变成了 NaN 或急剧增大。",
    "diag.diverged_batch": "训练在第 {epoch} 轮第 {batch} 批发散：损失变成了 NaN 或急剧增大。",
    "diag.rem.lower_lr": "降低学习率（试试 {new:g}，而不是 {old:g}）。",
    "diag.rem.lower_lr_10x": "把学习率降低到十分之一。",
    "diag.rem.use_bn": "使用带 BatchNormalization（批标准化）的网络，它能让激活值保持在合理范围。",
    "diag.rem.adam": "如果用的是 SGD，换成 Adam，它会为每个权重自适应地调整步长。",
    "diag.too_early": "现在判断为时尚早：至少等两轮（epoch）。",
    "diag.no_validation": "没有验证数据，无法看出过拟合：把验证集比例设为大于 0。",
    "diag.marker_overfit": "第 {epoch} 轮起过拟合",
    "diag.val_rose": "验证集损失在第 {best} 轮最低（{best_loss:.3f}），到第 {n} 轮升到 "
                     "{last_loss:.3f}，而训练集损失一直在下降（{train_best:.3f} -> {train_last:.3f}）。",
    "diag.gap_grew": "训练集与验证集准确率之差为 {gap:.1%}（第 {best} 轮时为 {gap_best:.1%}）。",
    "diag.overfitting": "从第 {epoch} 轮起过拟合：模型在死记训练图片，而不是学习能推广的规律。",
    "diag.underfitting": "欠拟合：训练准确率只有 {acc:.1%} 且不再上升；模型连训练图片都没学好。",
    "diag.val_vs_chance": "验证准确率 {acc:.1%}；随机猜测为 {chance:.1%}。",
    "diag.rem.train_longer": "训练更久，或用一个能让参数动起来的学习率（SGD 试 0.01-0.1；Adam 用 1e-3）。",
    "diag.rem.less_dropout": "减少正则化：把 Dropout 从 {p:g} 调低。",
    "diag.rem.less_wd": "减少正则化：调低或去掉权重衰减。",
    "diag.rem.bigger": "更大的模型：更多卷积核，或再加一个卷积块。",
    "diag.rem.bn_deeper": "批标准化能帮助更深的网络训练起来。",
    "diag.learning": "仍在进步：验证集损失是目前最低（{loss:.3f}，第 {n} 轮后）；还没有过拟合的迹象。",
    "diag.rem.more_epochs": "多训练几轮可能会更好；留意验证集损失是否开始上升。",
    "diag.good": "没有明显的过拟合：验证集损失在第 {best} 轮最低，之后没有明显上升。",
    "diag.rem.stop_at_best": "第 {best} 轮的验证集损失最好；在那里早停就能保留那个模型。",
    "diag.gap": "训练集与验证集准确率之差：{gap:.1%}。",
}
