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
    "diag.title": "诊断：{verdict}",
    "diag.try": "可以尝试",
    # ---------------------------------------------------------------- 课程
    "les.title": "课程",
    "les.pick": "课程",
    "les.kernel_size": "卷积核尺寸",
    "les.in_channels": "输入通道数",
    "les.stride": "步长",
    "les.stacked3x3.title": "两层 3×3 卷积优于一层 5×5",
    "les.stacked3x3.intro": "出自种子教程 000：“两层3x3的卷积核(参数20个)和一层5x5(参数26个)的卷积核特征"
                            "提取能力是一样的。一般来讲2层3x3的卷积核优于一层5x5的。”我们来逐个验证这些数字。",
    "les.stacked3x3.s1": "一个卷积核有多少参数",
    "les.stacked3x3.s1_text": "卷积核的每个格子、每个输入通道各有一个权重，再加一个偏置。教程中的例子："
                              "3×3×1 → 10，3×3×3 → 28，5×5×3 → 76。改变尺寸和通道数试试：",
    "les.stacked3x3.s2": "两层 3×3 看到的是 5×5 的区域",
    "les.stacked3x3.s2_text": "第二层 3×3 的每个输出点读取第一层的 3×3 个点，而这些点又各自读取 3×3 个输入"
                              "像素：合起来是 5×5 的区域，正是一个 5×5 卷积核的感受野。下面的数字是每个输入"
                              "像素到同一个输出点的路径数。",
    "les.stacked3x3.n": "堆叠的 3×3 层数",
    "les.stacked3x3.after_layer": "第 {i} 层后：**{size}×{size}**",
    "les.stacked3x3.paths_stacked": "{n} 层 3×3 堆叠：到一个输出点的路径数",
    "les.stacked3x3.paths_single": "一层 {big}×{big}：每个像素一次",
    "les.stacked3x3.paths_caption": "堆叠的卷积把中心像素算了 {centre} 次，四个角只算一次：它最关注"
                                    "窗口的中间。",
    "les.stacked3x3.s3": "数一数参数",
    "les.stacked3x3.s3_text": "同样的感受野，更少的权重。输入输出各一个通道时就是教程里的 20 对 26；"
                              "通道越多，省下的参数越多。",
    "les.stacked3x3.channels": "通道数（输入 = 输出）",
    "les.stacked3x3.m_stacked": "{n} 层 3×3 堆叠",
    "les.stacked3x3.m_single": "一层 {big}×{big}",
    "les.stacked3x3.m_saved": "节省的参数",
    "les.stacked3x3.why": "堆叠为什么更好：同样 {big}×{big} 的视野，**参数更少**；中间有 **{n} 个激活"
                          "函数**（ReLU）而不是一个，能表达更复杂的形状；并且更看重中心。这就是 VGG "
                          "只用 3×3 卷积核的原因。",
    "les.stacked3x3.s4": "自己动手试试",
    "les.stacked3x3.s4_text": "原理演示页有同样的比较，可以设置任意通道数，还可以用层表格堆叠你自己的网络。",
    "les.stacked3x3.link": "在原理演示页打开这个比较",
    "les.padding.title": "SAME 与 VALID 填充",
    "les.padding.intro": "出自种子教程 000 和 003：padding='SAME'（全零填充）时，输出特征图边长 = 输入"
                         "边长 / 步长；padding='VALID'（不全零填充）时，输出边长 = (输入边长 − 卷积核"
                         "核长 + 1) / 步长，结果都向上取整。",
    "les.padding.s1": "教程里的两个公式",
    "les.padding.s1_text": "选择输入尺寸、卷积核尺寸和步长。大号数字用的是与 Keras 相同的算法；"
                           "公式是教程里的写法。",
    "les.padding.n": "输入边长 n",
    "les.padding.same": "SAME（全零填充）",
    "les.padding.valid": "VALID（不填充）",
    "les.padding.agree": "两个公式都与 Keras 的 ⌊(n + 填充的零 − k) / s⌋ + 1 一致。SAME 在每个方向上"
                         "前面补 {before} 个零，后面补 {after} 个零。",
    "les.padding.s2": "零补在哪里",
    "les.padding.s2_text": "橙色是卷积核的第一个位置。灰色格子是 SAME 补上的一圈零；VALID 没有填充，"
                           "卷积核必须完全落在图片内，边缘的像素被访问的次数更少。",
    "les.padding.too_big": "卷积核比输入还大：VALID 根本没有输出。",
    "les.padding.s3": "经过很多层之后",
    "les.padding.s3_text": "用上面的卷积核尺寸堆叠步长为 1 的卷积层：SAME 保持尺寸不变，VALID 每层少 "
                           "k − 1 个像素。",
    "les.padding.input": "输入尺寸",
    "les.padding.depth": "层数",
    "les.padding.layer": "层",
    "les.padding.layers_end": "经过 {depth} 层 {k}×{k} 卷积后：SAME 每边 **{same}** 个像素，"
                              "VALID 每边 **{valid}** 个像素。",
    "les.cbapd.title": "CBAPD：五个基本模块",
    "les.cbapd.intro": "种子教程 003：“卷积是什么？卷积就是特征提取器，就是CBAPD”：卷积（Convolutional）、"
                       "批标准化（BN）、激活（Activation）、池化（Pooling）、舍弃（Dropout）。",
    "les.cbapd.s1": "五个模块",
    "les.cbapd.s1_text": "- **C** Conv2D（卷积）：卷积核在图片上滑动，提取特征。\n- **B** "
                         "BatchNormalization（批标准化）：把每一小批数据标准化为均值 0、标准差 1，"
                         "再做可学习的缩放和平移。\n- **A** Activation（激活），如 ReLU：负的响应变"
                         "成 0。\n- **P** Pooling（池化）：最大池化提取纹理，均值池化保留背景；"
                         "特征图变小。\n- **D** Dropout（舍弃）：训练时按一定概率暂时舍弃一部分"
                         "神经元。",
    "les.cbapd.s2": "教程里的模块，用 Keras 写出来",
    "les.cbapd.s2_text": "种子教程 000 的 Baseline，输入为 32×32×3 的 CIFAR-10 图片：Conv2D(6, 5×5, "
                         "same) → BN → ReLU → MaxPool2D(2, 2, same) → Dropout(0.2)。输出尺寸和参数量"
                         "实时计算：",
    "les.cbapd.filters": "卷积核个数",
    "les.cbapd.rate": "舍弃的比例",
    "les.cbapd.block": "模块",
    "les.cbapd.shape": "输出尺寸",
    "les.cbapd.params": "参数量",
    "les.cbapd.total": "整个模块共 {params:,} 个参数；BatchNormalization 的参数中有一半是不参与训练的"
                       "滑动均值和方差。",
    "les.cbapd.C": "卷积",
    "les.cbapd.B": "批标准化",
    "les.cbapd.A": "激活",
    "les.cbapd.P": "池化",
    "les.cbapd.D": "舍弃",
    "les.cbapd.s3": "看一张图片依次通过",
    "les.cbapd.s3_text": "把模块中的一个卷积核用在一张真实图片（灰度）上，一个模块接一个模块。",
    "les.cbapd.picture": "图片",
    "les.cbapd.kernel": "卷积核",
    "les.cbapd.new_mask": "重新随机舍弃",
    "les.cbapd.picture_text": "C 找到边缘（蓝为正，红为负）；B 把它们移到 0 附近；A 只保留正的响应；P 把"
                              "尺寸减半并保留最强的响应；D 在训练时随机把一些点置零（其余的点放大，使总和"
                              "保持不变）。",
    "les.cbapd.s4": "到处都是 CBAPD",
    "les.cbapd.s4_text": "种子教程 003 把 VGG16 的 13 层卷积写成 CBA CBAPD CBA CBAPD CBA CBA CBAPD CBA "
                         "CBA CBAPD CBA CBAPD CBAPD：同样的五个模块反复出现。模型库逐层展示了 VGG16 "
                         "和其他经典网络。",
    "les.overfit.title": "我的 CIFAR 模型为什么过拟合，Dropout 又是怎样解决的",
    "les.overfit.intro": "种子教程 002 在 CIFAR-10 上训练了一个小型卷积神经网络，没有达到测试集准确率 "
                         "72% 的要求。增加训练轮数反而更差。加入 layers.Dropout(0.4) 后达到了要求。",
    "les.overfit.s1": "教程里发生了什么",
    "les.overfit.s1_text": "训练集准确率一直上升，验证集准确率却停滞不前：模型记住了训练图片（过拟合）。"
                           "Dropout 加上 15 轮训练缩小了这个差距。",
    "les.overfit.before": "{epochs} 轮，无 Dropout",
    "les.overfit.after": "Dropout({rate:g})，{epochs} 轮",
    "les.overfit.target": "教程的目标",
    "les.overfit.s2": "亲眼看看：我们按教程的配置训练的结果",
    "les.overfit.s2_text": "随附的模型 seed002_cifar_cnn 是在这里按教程的设置训练的。拖动滑块提前停止"
                           "训练，看 cnnweb 的诊断结论如何变化。",
    "les.overfit.missing": "无法读取随附模型的训练曲线：{error}",
    "les.overfit.upto": "在第几轮后停止",
    "les.overfit.ours": "我们的运行：{epochs} 轮后测试准确率 {acc:.2%}。",
    "les.overfit.s3": "Dropout 做了什么",
    "les.overfit.s3_text": "训练时每个神经元按舍弃的概率被暂时关闭，每一批数据重新随机选择，所以任何"
                           "神经元都不能依赖别的神经元一定存在。留下的神经元被放大；预测时不舍弃任何"
                           "神经元。",
    "les.overfit.rate": "舍弃的比例",
    "les.overfit.kept": "{total} 个神经元中保留了 **{kept}** 个，每个乘以 1 / (1 − 比例) = "
                        "**{scale:.2f}**。",
    "les.overfit.mask": "一批数据的舍弃掩码：0 = 被舍弃",
    "les.overfit.s4": "自己动手试试",
    "les.overfit.s4_text": "在训练页，预设“Seed 002: CIFAR CNN, 10 epochs (overfits)”和“Seed 002 "
                           "remedy: Dropout 0.4, 15 epochs”重现了故事的两部分；“Overfitting in one "
                           "minute”用 2,000 张图片快速展示过拟合。",
    "les.overfit.link": "打开训练页",
    # 在别处是数据的词（滤波器和图片名、图表标签）
    "term.loss": "损失",
    "term.accuracy": "准确率",
    "term.train": "训练集",
    "term.validation": "验证集",
    "term.epoch": "轮次（epoch）",
    "term.identity": "恒等（不变）",
    "term.box blur": "均值模糊",
    "term.gaussian blur": "高斯模糊",
    "term.sharpen": "锐化",
    "term.edges (laplacian)": "边缘（拉普拉斯）",
    "term.outline": "轮廓",
    "term.sobel x (vertical edges)": "Sobel x（竖直边缘）",
    "term.sobel y (horizontal edges)": "Sobel y（水平边缘）",
    "term.emboss": "浮雕",
    "term.random digits": "随机数字",
    "term.vertical edge": "竖直边缘",
    "term.diagonal line": "对角线",
    "term.checkerboard": "棋盘格",
    "term.ramp": "渐变",
    "term.random -1..1": "随机 -1..1",
    "term.all ones": "全 1",
    "term.CIFAR-10 test #8: ship": "CIFAR-10 测试集 #8：船",
    "term.CIFAR-10 test #4: horse": "CIFAR-10 测试集 #4：马",
    "term.CIFAR-10 test #1: truck": "CIFAR-10 测试集 #1：卡车",
    "term.CIFAR-10 test #6: cat": "CIFAR-10 测试集 #6：猫",
    "term.CIFAR-10 test #17: airplane": "CIFAR-10 测试集 #17：飞机",
    "term.CIFAR-10 test #0: frog": "CIFAR-10 测试集 #0：青蛙",
    "term.MNIST test #0: digit 7": "MNIST 测试集 #0：数字 7",
    "term.MNIST test #1: digit 2": "MNIST 测试集 #1：数字 2",
    "term.MNIST test #3: digit 0": "MNIST 测试集 #3：数字 0",
    "term.MNIST test #4: digit 4": "MNIST 测试集 #4：数字 4",
}
