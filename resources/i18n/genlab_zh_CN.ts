<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>NeighbourPanel</name>
    <message>
        <source>Looking for the training examples nearest to sample {n}…</source>
        <translation>正在计算与样本 {n} 最近的训练样本…</translation>
    </message>
    <message>
        <source>Copy: nearer to a training example ({d:.3g}) than 95% of held-out examples are ({t:.3g}).</source>
        <translation>复制：它与某个训练样本的距离（{d:.3g}）比 95% 的留出样本都近（{t:.3g}）。</translation>
    </message>
    <message>
        <source>Novel: its nearest training example is {d:.3g} away, no nearer than held-out examples come (5% of them within {t:.3g}).</source>
        <translation>新样本：最近的训练样本距离为 {d:.3g}，并不比留出样本更近（其中 5% 在 {t:.3g} 以内）。</translation>
    </message>
    <message>
        <source>Sample {n}, then its 3 nearest training images (distances {d}; nearest held-out image {h:.3g}). {verdict}</source>
        <translation>样本 {n}，以及与它最近的 3 张训练图像（距离 {d}；最近的留出图像 {h:.3g}）。{verdict}</translation>
    </message>
    <message>
        <source>Point {n}: nearest training points {near} (distances {d}; nearest held-out point {h:.3g}). {verdict}</source>
        <translation>点 {n}：最近的训练点 {near}（距离 {d}；最近的留出点 {h:.3g}）。{verdict}</translation>
    </message>
    <message>
        <source>Could not search the training data: {message}</source>
        <translation>无法读取训练数据：{message}</translation>
    </message>
</context>
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../gui/dialogs/about_dialog.py" line="64"/>
        <source>About GenLab</source>
        <translation>关于 GenLab</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/about_dialog.py" line="68"/>
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/about_dialog.py" line="69"/>
        <source>Licences</source>
        <translation>许可证</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/about_dialog.py" line="82"/>
        <source>A desktop sandbox for deep generative models: variational autoencoders, generative adversarial networks, autoregressive models, normalizing flows and diffusion models, trained live on your data.</source>
        <translation>深度生成模型的桌面实验平台：变分自编码器、生成对抗网络、自回归模型、归一化流和扩散模型，在你的数据上实时训练。</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/about_dialog.py" line="85"/>
        <source>GenLab is free software under the MIT licence. It is built on Qt (through PySide6, LGPL-3.0), PyTorch, NumPy, pyqtgraph and Pillow; see Licences for their terms, the font&apos;s and the datasets&apos;.</source>
        <translation>GenLab 是采用 MIT 许可证的自由软件，基于 Qt（通过 PySide6，LGPL-3.0）、PyTorch、NumPy、pyqtgraph 和 Pillow 构建；它们的条款以及字体和数据集的条款见“许可证”。</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/about_dialog.py" line="88"/>
        <source>Versions</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/about_dialog.py" line="100"/>
        <source>GenLab ships or downloads these. Pick one to read its licence; the texts are in the original English.</source>
        <translation>GenLab 随附或下载以下内容。选择一项即可阅读其许可证；许可证正文保留英文原文。</translation>
    </message>
</context>
<context>
    <name>BackgroundTasks</name>
    <message>
        <location filename="../../gui/background.py" line="73"/>
        <source>out of memory while {task}: close other runs or use a smaller model</source>
        <translation>{task}时内存不足：请关闭其他运行或使用更小的模型</translation>
    </message>
    <message>
        <location filename="../../gui/background.py" line="77"/>
        <source> (details in {path})</source>
        <translation>（详情见 {path}）</translation>
    </message>
</context>
<context>
    <name>ClassifierPage</name>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="172"/>
        <source>&lt;p&gt;&lt;b&gt;A generative model as a classifier.&lt;/b&gt; A model of p(x | y) for every class y gives, by Bayes&apos; rule,&lt;/p&gt;&lt;p style=&apos;margin-left:18px&apos;&gt;p(y | x) = p(x | y) p(y) / ∑&lt;sub&gt;y′&lt;/sub&gt; p(x | y′) p(y′), &amp;nbsp; ŷ = arg max&lt;sub&gt;y&lt;/sub&gt; [ log p(x | y) + log p(y) ]&lt;/p&gt;&lt;p&gt;Every test image is scored under every class with the model&apos;s own likelihood (exact or a bound), p(y) is the classes&apos; share of the training set, and the largest wins. No part of the model was trained to classify.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;把生成模型当作分类器。&lt;/b&gt;对每个类别 y 都有 p(x | y) 的模型，由贝叶斯公式可得&lt;/p&gt;&lt;p style=&apos;margin-left:18px&apos;&gt;p(y | x) = p(x | y) p(y) / ∑&lt;sub&gt;y′&lt;/sub&gt; p(x | y′) p(y′), &amp;nbsp; ŷ = arg max&lt;sub&gt;y&lt;/sub&gt; [ log p(x | y) + log p(y) ]&lt;/p&gt;&lt;p&gt;每张测试图像都用模型自身的似然（精确值或界）在每个类别下打分，p(y) 为各类别在训练集中所占的比例，得分最高者胜出。模型的任何部分都没有为分类而训练。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="183"/>
        <source>Classify the test set</source>
        <translation>对测试集分类</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="184"/>
        <source>Score the held-out examples under every class with the newest weights (in the background)</source>
        <translation>用最新权重在每个类别下为留出样本打分（在后台进行）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="188"/>
        <source>Again with new weights</source>
        <translation>有新权重时重新分类</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="189"/>
        <source>Classify again whenever training publishes new weights and this page is in view</source>
        <translation>训练发布新权重且此页面可见时，重新分类</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="228"/>
        <source>Classifying the test set with the weights of step {step}…</source>
        <translation>正在用第 {step} 步的权重对测试集分类…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="241"/>
        <source>&lt;p&gt;&lt;b&gt;Accuracy on the test set: {acc:.1f}%&lt;/b&gt; ({right} of {n} right) with the weights of step {step}; log p(x | y) is {kind}. {wrong} misclassified{shown}.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;测试集准确率：{acc:.1f}%&lt;/b&gt;（{n} 个中 {right} 个正确），使用第 {step} 步的权重；log p(x | y) 为{kind}。错分 {wrong} 个{shown}。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="245"/>
        <source>, the first {k} below (true → predicted)</source>
        <translation>，下面列出前 {k} 个（真实 → 预测）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="262"/>
        <source>{true} → {predicted}</source>
        <translation>{true} → {predicted}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="265"/>
        <source>test example {index}: true class {true}, predicted {predicted}</source>
        <translation>测试样本 {index}：真实类别 {true}，预测为 {predicted}</translation>
    </message>
</context>
<context>
    <name>CloseDialog</name>
    <message>
        <location filename="../../gui/dialogs/close_dialog.py" line="23"/>
        <source>A run is training</source>
        <translation>有运行正在训练</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/close_dialog.py" line="24"/>
        <source>&lt;b&gt;{run}&lt;/b&gt; is training (step {step:,} of {total:,}). What should happen to it?</source>
        <translation>&lt;b&gt;{run}&lt;/b&gt; 正在训练（第 {step:,} 步，共 {total:,} 步）。要如何处理它？</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/close_dialog.py" line="26"/>
        <source>Keep training: it goes on without the window and shows in Runs when GenLab opens again. Stop: a checkpoint is saved and Continue resumes it later.</source>
        <translation>继续训练：关闭窗口后训练仍在后台进行，下次打开 GenLab 时会出现在“运行”中。停止：先保存检查点，之后可用“继续”恢复训练。</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/close_dialog.py" line="28"/>
        <source>Keep training in the background</source>
        <translation>在后台继续训练</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/close_dialog.py" line="29"/>
        <source>Stop and save</source>
        <translation>停止并保存</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/close_dialog.py" line="30"/>
        <source>Discard the run…</source>
        <translation>丢弃此运行…</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/close_dialog.py" line="52"/>
        <source>Discard the run?</source>
        <translation>丢弃此运行？</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/close_dialog.py" line="53"/>
        <source>Delete &lt;b&gt;{run}&lt;/b&gt; with its checkpoints, curves and samples? This cannot be undone.</source>
        <translation>删除 &lt;b&gt;{run}&lt;/b&gt; 及其检查点、曲线和样本？此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/close_dialog.py" line="55"/>
        <source>Delete the run</source>
        <translation>删除此运行</translation>
    </message>
</context>
<context>
    <name>CompareDock</name>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="29"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="29"/>
        <source>Family</source>
        <translation>模型族</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="30"/>
        <source>Held-out</source>
        <translation>留出集</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="30"/>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="31"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="31"/>
        <source>± s.e.</source>
        <translation>± 标准误</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="32"/>
        <source>At step</source>
        <translation>步数</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="61"/>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="70"/>
        <source>Select two or more runs in Runs (Ctrl+click) and press Compare.</source>
        <translation>在“运行”中选择两个或更多运行（Ctrl+单击），然后按“比较”。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="80"/>
        <source>Curve</source>
        <translation>曲线</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="83"/>
        <source>Which curve to overlay: a training-loss term, or the held-out NLL (the one figure every family reports in the same unit)</source>
        <translation>要叠加的曲线：某一项训练损失，或留出集 NLL（各模型族唯一以同一单位报告的指标）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="91"/>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="97"/>
        <source>Each run&apos;s samples; image runs with latents of one shape decode the same noise</source>
        <translation>各运行的样本；潜在形状相同的图像运行解码同一组噪声</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="109"/>
        <source>Held-out figures on one axis; each run&apos;s name is in its curve&apos;s colour</source>
        <translation>留出集指标画在同一坐标轴上；每个运行的名称与其曲线颜色相同</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="133"/>
        <source>Comparing {runs}… (loading each run&apos;s weights and drawing samples)</source>
        <translation>正在比较 {runs}…（加载各运行的权重并抽取样本）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="136"/>
        <source>&lt;span style=&apos;color:#b00020&apos;&gt;Cannot compare: {message}&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b00020&apos;&gt;无法比较：{message}&lt;/span&gt;</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="145"/>
        <source>; {shared} of {n} decode one shared noise bank (seed {seed})</source>
        <translation>；{n} 个中有 {shared} 个解码同一组共享噪声（种子 {seed}）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="147"/>
        <source>; samples drawn with seed {seed}</source>
        <translation>；样本以种子 {seed} 抽取</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="148"/>
        <source>{n} runs on {data}: {families}{noise}</source>
        <translation>{data} 上的 {n} 个运行：{families}{noise}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="152"/>
        <location filename="../../gui/docks/compare_dock.py" line="184"/>
        <source>held-out NLL ({unit})</source>
        <translation>留出集 NLL（{unit}）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/compare_dock.py" line="154"/>
        <source>training {key}</source>
        <translation>训练 {key}</translation>
    </message>
</context>
<context>
    <name>ComparisonPage</name>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="58"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="59"/>
        <source>Likelihood</source>
        <translation>似然</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="63"/>
        <source>Steps to sample</source>
        <translation>采样步数</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="60"/>
        <source>Held-out NLL (nats)</source>
        <translation>留出集 NLL（奈特）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="61"/>
        <source>Bits per dimension</source>
        <translation>比特/维</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="62"/>
        <source>Samples per second</source>
        <translation>每秒样本数</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="64"/>
        <source>Has a latent</source>
        <translation>有潜在空间</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="75"/>
        <source>Measured from the runs you have made on the current data: the held-out NLL from each run&apos;s metrics, sampling speed and steps by drawing samples from its newest checkpoint.</source>
        <translation>根据你在当前数据上完成的运行测得：留出集 NLL 取自各运行的指标，采样速度和步数通过从其最新检查点抽取样本测得。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="91"/>
        <source>Measure again</source>
        <translation>重新测量</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="92"/>
        <source>Load each family&apos;s best run on this data and sample from it again</source>
        <translation>加载每个模型族在此数据上的最佳运行并重新从中采样</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="109"/>
        <source>Measuring the runs on {data}…</source>
        <translation>正在测量 {data} 上的运行…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="113"/>
        <source>Could not measure: {why}</source>
        <translation>无法测量：{why}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="129"/>
        <source>the run&apos;s newest held-out evaluation, at step {step}</source>
        <translation>该运行最新的留出集评估，位于第 {step} 步</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="134"/>
        <source>{n} of {total} families measured on {data} in {seconds:.1f} s</source>
        <translation>在 {data} 上测量了 {total} 个模型族中的 {n} 个，用时 {seconds:.1f} 秒</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="138"/>
        <source>no run on this data yet: train one to measure it</source>
        <translation>此数据上还没有运行：训练一个即可测量</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="140"/>
        <source>no held-out evaluation in its metrics yet (train longer than one evaluation interval)</source>
        <translation>其指标中还没有留出集评估（训练时间需超过一个评估间隔）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="141"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="146"/>
        <source>not run yet</source>
        <translation>尚未运行</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="147"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="159"/>
        <source>yes</source>
        <translation>有</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="159"/>
        <source>no</source>
        <translation>无</translation>
    </message>
</context>
<context>
    <name>CompletionPanel</name>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="65"/>
        <source>example</source>
        <translation>样例</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="70"/>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="72"/>
        <source>Blank</source>
        <translation>空白</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="74"/>
        <source>Start from a black image and draw on it</source>
        <translation>从一张全黑图像开始并在上面绘制</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="78"/>
        <source>keep rows</source>
        <translation>保留行数</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="81"/>
        <source>Rows from the top that stay as they are; the model fills in the rest</source>
        <translation>从顶部起保持不变的行数；其余部分由模型补全</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="88"/>
        <source>temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="93"/>
        <source>Below 1: more typical completions; above 1: more varied</source>
        <translation>小于 1：补全更典型；大于 1：更多样</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="98"/>
        <source>Completions drawn at once</source>
        <translation>一次抽取的补全数</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="99"/>
        <source>draws</source>
        <translation>抽取数</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="101"/>
        <source>Complete</source>
        <translation>补全</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="103"/>
        <source>Replay</source>
        <translation>回放</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="104"/>
        <source>Replay the filling pixel by pixel, in the order the model drew them</source>
        <translation>按模型生成的顺序逐像素回放补全过程</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="117"/>
        <source>Left drag paints white, right drag black; painted pixels are kept</source>
        <translation>左键拖动画白色，右键拖动画黑色；画过的像素会保留</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="122"/>
        <source>Pick an example, choose how many rows to keep, and press Complete.</source>
        <translation>选择一个样例，设定保留的行数，然后按“补全”。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="190"/>
        <source>{kept} of {total}</source>
        <translation>{kept} / {total}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/completion_panel.py" line="202"/>
        <source>{n} completions at temperature {temperature:g}; {n2} pixels filled in raster order (row by row). Replay shows them being drawn.</source>
        <translation>温度 {temperature:g} 下的 {n} 个补全；按光栅顺序（逐行）填充了 {n2} 个像素。“回放”可重现绘制过程。</translation>
    </message>
</context>
<context>
    <name>ControlActions</name>
    <message>
        <location filename="../../gui/actions.py" line="35"/>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="36"/>
        <source>Start a new run with these settings</source>
        <translation>用这些设置开始新的运行</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="37"/>
        <location filename="../../gui/actions.py" line="72"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="38"/>
        <source>Pause or resume training</source>
        <translation>暂停或继续训练</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="39"/>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="40"/>
        <source>Train one step, then pause</source>
        <translation>训练一步后暂停</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="41"/>
        <source>Step D</source>
        <translation>单步 D</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="42"/>
        <source>One discriminator step (GAN)</source>
        <translation>判别器训练一步（GAN）</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="43"/>
        <source>Step G</source>
        <translation>单步 G</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="44"/>
        <source>One generator step (GAN)</source>
        <translation>生成器训练一步（GAN）</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="45"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="46"/>
        <source>Stop training (a checkpoint is saved)</source>
        <translation>停止训练（会保存检查点）</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="47"/>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="48"/>
        <source>Stop, and clear the plots for a fresh run</source>
        <translation>停止并清空图表，准备全新的运行</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="49"/>
        <source>Open data…</source>
        <translation>打开数据…</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="50"/>
        <source>Train on your own file</source>
        <translation>用你自己的文件训练</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="51"/>
        <source>Open folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="52"/>
        <source>Train on a folder of images</source>
        <translation>用一个图像文件夹训练</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="53"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="54"/>
        <source>Close GenLab (a running run is checkpointed)</source>
        <translation>关闭 GenLab（正在进行的运行会保存检查点）</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="55"/>
        <source>Reset layout</source>
        <translation>重置布局</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="56"/>
        <source>Put every panel back where it started</source>
        <translation>把所有面板放回初始位置</translation>
    </message>
    <message>
        <location filename="../../gui/actions.py" line="72"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
</context>
<context>
    <name>DataDock</name>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="63"/>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="78"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="80"/>
        <source>Stop loading or downloading (a download resumes where it stopped next time)</source>
        <translation>停止加载或下载（下载下次会从中断处继续）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="101"/>
        <source>No data loaded yet.</source>
        <translation>尚未加载数据。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="110"/>
        <source>class balance</source>
        <translation>类别分布</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="125"/>
        <source>Draw your own…</source>
        <translation>自己绘制…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="127"/>
        <source>Paint a 2D point set with the mouse and train on it (kept in the run&apos;s config)</source>
        <translation>用鼠标绘制二维点集并在其上训练（保存在运行的配置中）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="130"/>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="135"/>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="136"/>
        <source>How widely a dab sprays points (0: one point exactly under the pointer)</source>
        <translation>每一笔喷洒点的范围（0：只在指针下方画一个点）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="138"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="139"/>
        <source>Take back the last stroke (or the last Clear)</source>
        <translation>撤销上一笔（或上一次清除）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="141"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="142"/>
        <source>Remove every point (Undo brings them back)</source>
        <translation>删除所有点（可用“撤销”恢复）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="148"/>
        <source>or drop a file or folder on the window</source>
        <translation>或把文件、文件夹拖放到窗口上</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="158"/>
        <source>Load it from files on disk instead:</source>
        <translation>改为从磁盘上的文件加载：</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="160"/>
        <source>Open file…</source>
        <translation>打开文件…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="161"/>
        <source>An archive or an IDX file you downloaded yourself</source>
        <translation>你自己下载的压缩包或 IDX 文件</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="163"/>
        <source>Open folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="164"/>
        <source>The folder holding the set&apos;s files (MNIST&apos;s IDX files, or CIFAR-10&apos;s cifar-10-batches-bin)</source>
        <translation>存放该数据集文件的文件夹（MNIST 的 IDX 文件，或 CIFAR-10 的 cifar-10-batches-bin）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="182"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="183"/>
        <source>Copy every skipped file with its full path and reason</source>
        <translation>复制每个被跳过的文件及其完整路径和原因</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="202"/>
        <source> ({done:.1f} of {total:.1f} MB)</source>
        <translation>（{done:.1f} / {total:.1f} MB）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="204"/>
        <source>loading</source>
        <translation>加载中</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="215"/>
        <source>Loading {name} was cancelled. Choose it again to retry (a download resumes where it stopped).</source>
        <translation>已取消加载 {name}。再次选择即可重试（下载会从中断处继续）。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="247"/>
        <source>1 file
skipped:</source>
        <translation>跳过
1 个文件：</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="247"/>
        <source>{n} files
skipped:</source>
        <translation>跳过
{n} 个文件：</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="291"/>
        <source>2D points</source>
        <translation>二维点</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="291"/>
        <source>images</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="292"/>
        <source>data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="293"/>
        <source>{train:,} training, {test:,} held-out</source>
        <translation>训练集 {train:,} 个，留出集 {test:,} 个</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="294"/>
        <source>{n} coordinates</source>
        <translation>{n} 个坐标</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="295"/>
        <source>shape {shape}</source>
        <translation>形状 {shape}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="296"/>
        <source>, {levels} levels per channel</source>
        <translation>，每通道 {levels} 级</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="297"/>
        <source>values {low} to {high}</source>
        <translation>取值 {low} 到 {high}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/data_dock.py" line="301"/>
        <source>{n} classes, {least:,} to {most:,} each</source>
        <translation>{n} 个类别，每类 {least:,} 到 {most:,} 个</translation>
    </message>
    <message>
        <source>text, one example a line</source>
        <translation>文本，每行一个样本</translation>
    </message>
    <message>
        <source>lines of up to {n} characters</source>
        <translation>每行最多 {n} 个字符</translation>
    </message>
</context>
<context>
    <name>DatasetLoader</name>
    <message>
        <location filename="../../gui/data_loader.py" line="93"/>
        <source> (details in {path})</source>
        <translation>（详情见 {path}）</translation>
    </message>
    <message>
        <location filename="../../gui/data_loader.py" line="94"/>
        <source>{data}: could not be loaded: {error}{where}</source>
        <translation>{data}：无法加载：{error}{where}</translation>
    </message>
</context>
<context>
    <name>EncodePanel</name>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="146"/>
        <source>training example</source>
        <translation>训练样本</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="151"/>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="155"/>
        <source>Encode</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="156"/>
        <source>Put this example&apos;s latent on the plane (VAE: encoder mean; flow: exact inverse; diffusion: DDIM inversion). Then drag the handle to edit it.</source>
        <translation>把这个样本的潜在表示放到平面上（VAE：编码器均值；流：精确逆变换；扩散：DDIM 反演）。然后拖动手柄来编辑它。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="158"/>
        <source>Open image…</source>
        <translation>打开图像…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="159"/>
        <source>Encode an image file (or drop one on this panel)</source>
        <translation>编码一个图像文件（或拖放到此面板上）</translation>
    </message>
</context>
<context>
    <name>Family</name>
    <message>
        <location filename="../../engine/models/vae.py" line="58"/>
        <source>Variational autoencoder</source>
        <translation>变分自编码器</translation>
    </message>
    <message>
        <location filename="../../engine/models/vae.py" line="59"/>
        <source>VAE</source>
        <translation>VAE</translation>
    </message>
    <message>
        <location filename="../../engine/models/vae.py" line="64"/>
        <source>the VAE&apos;s latent code</source>
        <translation>VAE 的潜在编码</translation>
    </message>
    <message>
        <location filename="../../engine/models/vae.py" line="67"/>
        <source>Heat: the VAE&apos;s density bound. Click points to see where the encoder puts them: 2-sigma ellipses of q(z | x) on the right, over the prior&apos;s contours (dashed: N(0, I)&apos;s 1- and 2-sigma circles, or each fitted mixture component&apos;s 2-sigma ellipse).</source>
        <translation>热图：VAE 的密度下界。点击一些点，查看编码器把它们放在哪里：右边画出 q(z | x) 的 2-sigma 等高线，叠在先验的等高线上（灰色线：N(0, I) 的 1-sigma 和 2-sigma 等高线，或拟合的混合先验每个分量的 2-sigma 等高线）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="72"/>
        <source>Generative adversarial network</source>
        <translation>生成对抗网络</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="73"/>
        <source>GAN</source>
        <translation>GAN</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="78"/>
        <source>the generator&apos;s noise</source>
        <translation>生成器的噪声</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="81"/>
        <source>Heat: the discriminator. Lines: a regular grid of noise (two latent dimensions, the others 0) after the generator; the slider goes from the grid to its warp.</source>
        <translation>热图：判别器。线条：一个等间距的噪声网格（取两个潜在维度，其余为 0）经过生成器后的样子；滑块从原网格变到形变后的网格。</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="74"/>
        <source>Autoregressive model</source>
        <translation>自回归模型</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="75"/>
        <source>AR</source>
        <translation>自回归</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="78"/>
        <source>Heat: the autoregressive model&apos;s exact density (each coordinate binned, then the bins&apos; probabilities chained).</source>
        <translation>热图：自回归模型的精确密度（每个坐标先分箱，再把各分箱的概率依次相乘）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="96"/>
        <source>Normalizing flow</source>
        <translation>归一化流</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="97"/>
        <source>Flow</source>
        <translation>流</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="100"/>
        <source>the flow&apos;s base space</source>
        <translation>流的基空间</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="103"/>
        <source>Heat: the flow&apos;s exact density. Lines: a regular grid of the base space; the slider carries it through the couplings one by one.</source>
        <translation>热图：流的精确密度。线条：基空间中一个等间距的网格；滑块把它逐一带过各个耦合层。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="107"/>
        <source>Diffusion model</source>
        <translation>扩散模型</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="108"/>
        <source>Diffusion</source>
        <translation>扩散</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="115"/>
        <source>the starting noise of deterministic DDIM</source>
        <translation>确定性 DDIM 的初始噪声</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="118"/>
        <source>DDIM steps: preview</source>
        <translation>DDIM 步数：预览</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="120"/>
        <source>Heat: density by the probability-flow ODE. Dots: particles denoised from noise (t = T) to data (t = 0); the slider scrubs through time. Arrows: the learned score (where the density of the data blurred by the chosen noise rises; flow matching reads it off its velocity).</source>
        <translation>热图：由概率流 ODE 得到的密度。点：从噪声（t = T）去噪到数据（t = 0）的粒子；拖动滑块可按时间逐步查看。向量：学到的得分（被所选噪声模糊后的数据密度变大的方向；flow matching 从速度中读出它）。</translation>
    </message>
    <message>
        <source>Gaussian (maximum likelihood)</source>
        <translation>高斯分布（最大似然）</translation>
    </message>
    <message>
        <source>Gaussian</source>
        <translation>高斯</translation>
    </message>
    <message>
        <source>One Gaussian N(mu, Sigma) fitted in closed form: mu is the sample mean and Sigma the sample covariance, the maximum-likelihood estimate. The parametric baseline: every deep family should beat it.</source>
        <translation>以闭式解拟合的一个高斯 N(mu, Sigma)：mu 是样本均值，Sigma 是样本方差矩阵，即最大似然估计。参数化基线：每个深度模型都应优于它。</translation>
    </message>
    <message>
        <source>the whitened coordinates z = L^-1 (x - mu)</source>
        <translation>白化后的坐标 z = L^-1 (x - mu)</translation>
    </message>
    <message>
        <source>Heat: the fitted Gaussian&apos;s exact density; its contours are ellipses around the sample mean.</source>
        <translation>热图：拟合的高斯的精确密度；它的等高线是以样本均值为中心的二次曲线。</translation>
    </message>
    <message>
        <source>-log p(x) of the training batch under the fitted Gaussian</source>
        <translation>训练批在拟合的高斯下的 -log p(x)</translation>
    </message>
    <message>
        <source>log p(x), exact</source>
        <translation>log p(x)，精确值</translation>
    </message>
    <message>
        <source>Gaussian mixture (EM)</source>
        <translation>高斯混合模型（EM）</translation>
    </message>
    <message>
        <source>GMM</source>
        <translation>GMM</translation>
    </message>
    <message>
        <source>K Gaussians with weights pi_k, fitted by the EM algorithm: the E-step computes each example&apos;s responsibilities (the posterior of its component), the M-step refits weights, means and covariances from them. The log-likelihood never decreases.</source>
        <translation>权重为 pi_k 的 K 个高斯，用 EM 算法拟合：E 步计算每个样本属于各分量的后验，M 步据此重新拟合权重、均值和方差矩阵。对数似然从不下降。</translation>
    </message>
    <message>
        <source>Heat: the mixture&apos;s exact density. Ellipses: each component&apos;s mean and two standard deviations (thicker: larger weight). Dots: held-out points coloured by the component with the largest responsibility (the E-step).</source>
        <translation>热图：混合模型的精确密度。曲线：每个分量的均值与两个标准差的范围（越粗权重越大）。点：留出数据，颜色表示后验最大的分量（E 步）。</translation>
    </message>
    <message>
        <source>-log p(x) per example before this M-step</source>
        <translation>本次 M 步之前每个样本的 -log p(x)</translation>
    </message>
    <message>
        <source>log p(x) per example: rises at every EM iteration</source>
        <translation>每个样本的 log p(x)：EM 每一轮都增大</translation>
    </message>
    <message>
        <source>the covariance prior&apos;s term (reg / 2) sum_k tr(Sigma_k^-1)</source>
        <translation>方差矩阵先验项 (reg / 2) sum_k tr(Sigma_k^-1)</translation>
    </message>
    <message>
        <source>Kernel density estimate</source>
        <translation>核密度估计</translation>
    </message>
    <message>
        <source>KDE</source>
        <translation>KDE</translation>
    </message>
    <message>
        <source>A Gaussian kernel of width h on every training point, averaged: the non-parametric baseline. The bandwidth h trades variance (small h: spikes) against bias (large h: a blur); the rule of thumb is a start.</source>
        <translation>在每个训练点上放一个宽度为 h 的高斯核，再取平均：非参数基线。带宽 h 在方差（h 小：很高的小高斯）与偏差（h 大：模糊）之间权衡；经验法则只是起点。</translation>
    </message>
    <message>
        <source>Heat: the kernel density estimate, exact (a sum over every stored point). Slide the bandwidth scale to see it under- or over-smooth, and the held-out NLL get worse at both ends.</source>
        <translation>热图：核密度估计，精确值（对每个保存的点求和）。拖动带宽倍数，可以看到平滑不足或过度平滑，以及留出数据 NLL 在两端都变差。</translation>
    </message>
    <message>
        <source>leave-one-out -log p(x) of stored training points</source>
        <translation>保存的训练点的留一法 -log p(x)</translation>
    </message>
    <message>
        <source>h, the kernel&apos;s standard deviation (model units)</source>
        <translation>h，核的标准差（模型单位）</translation>
    </message>
    <message>
        <source>its generator's output must be continuous for the discriminator's gradient to reach it; characters are discrete tokens</source>
        <translation>判别器的梯度要传到生成器，生成器的输出不能是离散的；字符是离散的记号</translation>
    </message>
    <message>
        <source>an invertible map between continuous spaces has no density on discrete characters</source>
        <translation>可逆映射在实数空间之间定义密度，离散字符上没有密度</translation>
    </message>
    <message>
        <source>it adds and removes Gaussian noise in a continuous space; characters are discrete tokens</source>
        <translation>它在实数空间中加入并去除高斯噪声；字符是离散的记号</translation>
    </message>
    <message>
        <source>closed-form fits (covariances, Cholesky factors, sums over every training point) need float64, cheap on the CPU</source>
        <translation>闭式拟合（协方差、Cholesky 因子、对每个训练点求和）需要 float64，在 CPU 上代价很小</translation>
    </message>
</context>
<context>
    <name>ForkDialog</name>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="27"/>
        <source>Fork {run_name}</source>
        <translation>分叉 {run_name}</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="31"/>
        <source>A new run that starts from a checkpoint of &lt;b&gt;{run_name}&lt;/b&gt; ({family} on {name}) and records it as its parent. The data and the family stay; model settings that change the weights&apos; shapes cannot change in a fork.</source>
        <translation>新运行从 &lt;b&gt;{run_name}&lt;/b&gt;（{name} 上的 {family}）的某个检查点开始，并把它记录为父运行。数据和模型族保持不变；会改变权重形状的模型设置不能在分叉中修改。</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="38"/>
        <source>step {step:,}</source>
        <translation>第 {step:,} 步</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="39"/>
        <source>From checkpoint</source>
        <translation>起始检查点</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="44"/>
        <source> steps</source>
        <translation> 步</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="45"/>
        <source>How many steps the fork trains after the checkpoint</source>
        <translation>分叉从检查点起再训练多少步</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="46"/>
        <source>Train for</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="56"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="56"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="60"/>
        <source>Show advanced settings</source>
        <translation>显示高级设置</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="68"/>
        <source>Start training the fork now</source>
        <translation>立即开始训练分叉</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/fork_dialog.py" line="73"/>
        <source>Fork</source>
        <translation>分叉</translation>
    </message>
</context>
<context>
    <name>InsideDock</name>
    <message>
        <source>score arrows</source>
        <translation>得分向量</translation>
    </message>
    <message>
        <source>Arrows: the learned score, the direction in which the density of the data blurred by Gaussian noise rises, at the noise level of the slider</source>
        <translation>向量：学到的得分，即被高斯噪声模糊后的数据密度变大的方向，噪声水平由滑块选择</translation>
    </message>
    <message>
        <source>noise level</source>
        <translation>噪声水平</translation>
    </message>
    <message>
        <location filename="../../gui/docks/inside_dock.py" line="44"/>
        <source>Inside the model</source>
        <translation>模型内部</translation>
    </message>
    <message>
        <location filename="../../gui/docks/inside_dock.py" line="65"/>
        <source>For models trained on 2-D points: density, discriminator, warps and particles, live from the newest weights.</source>
        <translation>适用于在二维点上训练的模型：用最新权重实时显示密度、判别器、形变和粒子。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/inside_dock.py" line="77"/>
        <source>log scale</source>
        <translation>对数刻度</translation>
    </message>
    <message>
        <location filename="../../gui/docks/inside_dock.py" line="78"/>
        <source>Colour by log-density over its top {nats} nats instead of by density</source>
        <translation>按最高 {nats} 奈特范围内的对数密度着色，而不是按密度</translation>
    </message>
    <message>
        <location filename="../../gui/docks/inside_dock.py" line="87"/>
        <source>Clear picks</source>
        <translation>清除选点</translation>
    </message>
    <message>
        <location filename="../../gui/docks/inside_dock.py" line="130"/>
        <source>These views are for models trained on 2-D points (moons, 8gaussians, …). For images, use the Latent dock.</source>
        <translation>这些视图适用于在二维点（moons、8gaussians 等）上训练的模型。图像请使用“潜在空间”面板。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/inside_dock.py" line="215"/>
        <source>Step {step:,}: {label}.</source>
        <translation>第 {step:,} 步：{label}。</translation>
    </message>
    <message>
        <source>{knob} = {value:.3g}: held-out NLL {nll:.3f} nats on {n} points.</source>
        <translation>{knob} = {value:.3g}：留出数据 NLL 为 {nll:.3f} 奈特（{n} 个点）。</translation>
    </message>
    <message>
        <source>Metropolis-Hastings</source>
        <translation>Metropolis-Hastings</translation>
    </message>
    <message>
        <source>Langevin</source>
        <translation>Langevin</translation>
    </message>
    <message>
        <source>Metropolis-adjusted Langevin</source>
        <translation>Metropolis 修正的 Langevin</translation>
    </message>
    <message>
        <source>annealed Langevin</source>
        <translation>逐步降低噪声的 Langevin</translation>
    </message>
    <message>
        <source>Run MCMC chains</source>
        <translation>运行 MCMC 链</translation>
    </message>
    <message>
        <source>Sample the model by a Markov chain on its density or score instead of its own sampler</source>
        <translation>用 Markov 链按模型的密度或得分采样，而不用模型自己的采样器</translation>
    </message>
    <message>
        <source>running {method} chains…</source>
        <translation>正在运行 {method} 链…</translation>
    </message>
    <message>
        <source>{method}: {n} chains, step size {step:.3g}, acceptance {acc}</source>
        <translation>{method}：{n} 条链，步长 {step:.3g}，接受率 {acc}</translation>
    </message>
</context>
<context>
    <name>InterpolationPanel</name>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="92"/>
        <source>A = handle</source>
        <translation>A = 手柄</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="93"/>
        <source>B = handle</source>
        <translation>B = 手柄</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="94"/>
        <source>A random</source>
        <translation>A 随机</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="95"/>
        <source>B random</source>
        <translation>B 随机</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="96"/>
        <source>Mark the handle&apos;s latent as end A</source>
        <translation>把手柄处的潜在向量设为端点 A</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="97"/>
        <source>Mark the handle&apos;s latent as end B</source>
        <translation>把手柄处的潜在向量设为端点 B</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="98"/>
        <source>Draw end A from the model&apos;s prior (where its samples start)</source>
        <translation>从模型的先验抽取端点 A（即其样本的起点）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="99"/>
        <source>Draw end B from the model&apos;s prior (where its samples start)</source>
        <translation>从模型的先验抽取端点 B（即其样本的起点）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="105"/>
        <source>linear (lerp)</source>
        <translation>线性（lerp）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="106"/>
        <source>spherical (slerp)</source>
        <translation>球面（slerp）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="107"/>
        <source>Linear suits the VAE&apos;s latent; spherical keeps Gaussian noise (GAN, flow, diffusion) at a typical length all the way.</source>
        <translation>线性插值适合 VAE 的潜在空间；球面插值让高斯噪声（GAN、流、扩散）一路保持典型长度。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="112"/>
        <source>Pictures on the path, both ends included</source>
        <translation>路径上的图像数（含两端）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="113"/>
        <source>Interpolate</source>
        <translation>插值</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="114"/>
        <source>Save PNG…</source>
        <translation>保存 PNG…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="115"/>
        <source>Save GIF…</source>
        <translation>保存 GIF…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="119"/>
        <source>steps</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="129"/>
        <source>Mark two ends, then Interpolate.</source>
        <translation>先标记两个端点，再按“插值”。</translation>
    </message>
</context>
<context>
    <name>Knob</name>
    <message>
        <source>objective</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>denoising: DDPM's loss on the noise chain of the schedule. flow-matching: rectified flow, the straight path x_t = (1-t) x0 + t noise and its velocity noise - x0 as the target; samples by an ODE solver in few steps (schedule, timesteps and prediction are then unused; no variational bound).</source>
        <translation>denoising：在噪声表的加噪链上使用 DDPM 的损失。flow-matching：rectified flow，按直线路径 x_t = (1-t) x0 + t noise，以其速度 noise - x0 为目标；用常微分方程求解器以很少的步数采样（此时不使用 schedule、timesteps 和 prediction；没有变分界）。</translation>
    </message>
    <message>
        <source>TensorBoard files</source>
        <translation>TensorBoard 文件</translation>
    </message>
    <message>
        <source>Also write TensorBoard event files (losses, gradient norms, evaluations, sample pictures) to the run folder&apos;s tensorboard/.</source>
        <translation>同时把 TensorBoard 事件文件（损失、梯度范数、评估、样本图片）写入运行文件夹的 tensorboard/ 中。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="152"/>
        <source>Built-in dataset (moons, 8gaussians, digits, shapes, drawn, ...), a downloadable one (mnist, fashion-mnist, cifar10) or a path to your own file or folder.</source>
        <translation>内置数据集（moons、8gaussians、digits、shapes、drawn 等）、可下载的数据集（mnist、fashion-mnist、cifar10），或你自己的文件或文件夹路径。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="154"/>
        <source>Number of training examples drawn from a generator (2D toys, shapes).</source>
        <translation>由生成器抽取的训练样本数（二维玩具数据、shapes）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="154"/>
        <location filename="../../engine/config.py" line="155"/>
        <location filename="../../gui/knob_labels.py" line="26"/>
        <source>points</source>
        <translation>个点</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="155"/>
        <source>Number of held-out examples drawn from a separate seeded stream (2D toys, shapes).</source>
        <translation>由另一个带种子的随机流抽取的留出样本数（二维玩具数据、shapes）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="156"/>
        <source>Seed of the data generator (toys, shapes) or of the train/test split (files, drawn points).</source>
        <translation>数据生成器（玩具数据、shapes）或训练/测试划分（文件、绘制的点）的随机种子。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="158"/>
        <source>Points: shift and scale each coordinate to zero mean and unit variance before the model sees them. Likelihoods are reported in the original units either way.</source>
        <translation>点数据：在送入模型前把每个坐标平移缩放为零均值、单位方差。无论是否标准化，似然都以原始单位报告。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="160"/>
        <source>Resize images to this side length (0 keeps the files&apos; size when they share one of at most 128 px, else 32).</source>
        <translation>把图像缩放到这个边长（0：若文件尺寸一致且不超过 128 像素则保持原尺寸，否则为 32）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="161"/>
        <source>px</source>
        <translation>像素</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="162"/>
        <source>Image channels: 1 grey, 3 RGB, 4 RGBA; 0 keeps what the files have (RGB for mixed).</source>
        <translation>图像通道数：1 灰度，3 RGB，4 RGBA；0 保持文件原有通道（混合时为 RGB）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="164"/>
        <source>How images of another size reach the target size: fit stretches to it, crop scales the short side and cuts the middle, pad scales the long side and fills with black, none skips (or, in strict mode, rejects) images of another size.</source>
        <translation>尺寸不同的图像如何变为目标尺寸：fit 直接拉伸；crop 按短边缩放并裁取中间；pad 按长边缩放并用黑色填充；none 跳过（严格模式下拒绝）尺寸不同的图像。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="167"/>
        <source>Stop at the first bad file instead of skipping it and listing it.</source>
        <translation>遇到第一个损坏文件就停止，而不是跳过并列出它。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="168"/>
        <source>Refuse datasets with more examples than this (a guard against absurd inputs).</source>
        <translation>拒绝样本数超过此值的数据集（防止荒谬的输入）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="169"/>
        <source>Download a named set (mnist, fashion-mnist, cifar10) that is not in the cache yet. Off: never touch the network.</source>
        <translation>下载尚未缓存的指定数据集（mnist、fashion-mnist、cifar10）。关闭：绝不访问网络。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="172"/>
        <source>Base URLs to download from instead of the built-in ones, tried in order ({dataset} in a URL becomes the set&apos;s name). Also: env GENLAB_MIRRORS.</source>
        <translation>代替内置地址的下载基础 URL，按顺序尝试（URL 中的 {dataset} 会替换为数据集名称）。也可用环境变量 GENLAB_MIRRORS。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="175"/>
        <source>The points of a drawn 2D set (name &apos;drawn&apos;), in data units. Kept in the run config, so the run reproduces.</source>
        <translation>绘制的二维点集（名称 &apos;drawn&apos;）中的点，以数据单位表示。保存在运行配置中，因此运行可以复现。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="196"/>
        <source>Number of optimisation steps.</source>
        <translation>优化步数。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="196"/>
        <location filename="../../engine/config.py" line="209"/>
        <location filename="../../engine/config.py" line="210"/>
        <location filename="../../engine/config.py" line="213"/>
        <location filename="../../engine/config.py" line="215"/>
        <location filename="../../engine/models/diffusion.py" line="55"/>
        <location filename="../../engine/models/diffusion.py" line="80"/>
        <location filename="../../engine/models/diffusion.py" line="84"/>
        <location filename="../../engine/models/diffusion.py" line="92"/>
        <location filename="../../engine/models/gan.py" line="43"/>
        <location filename="../../gui/knob_labels.py" line="27"/>
        <source>steps</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="197"/>
        <source>Stop after this many seconds of training (0: no limit).</source>
        <translation>训练这么多秒后停止（0：不限）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="197"/>
        <location filename="../../engine/config.py" line="216"/>
        <source>s</source>
        <translation>秒</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="198"/>
        <source>Examples per step; clamped to the dataset&apos;s size.</source>
        <translation>每步的样本数；不超过数据集大小。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="198"/>
        <source>examples</source>
        <translation>个样本</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="199"/>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="200"/>
        <source>Step size of the Adam optimiser. Safe to change while training.</source>
        <translation>Adam 优化器的步长。训练中可以安全修改。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="201"/>
        <source>learning-rate schedule</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="202"/>
        <source>cosine: decay the learning rate smoothly to zero over the run (by steps, or by time with a time limit), which settles the model; constant: keep it fixed.</source>
        <translation>cosine：在整个运行中（按步数，或设了时间上限时按时间）把学习率平滑衰减到零，使模型稳定收敛；constant：保持不变。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="204"/>
        <source>Clip the gradient norm to this value (0: off).</source>
        <translation>把梯度范数裁剪到此值（0：关闭）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="205"/>
        <source>Seed for initialisation and training noise.</source>
        <translation>初始化和训练噪声的随机种子。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="206"/>
        <source>Where to train: auto picks CUDA, then Apple MPS, then the CPU.</source>
        <translation>在哪里训练：auto 依次选择 CUDA、Apple MPS、CPU。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="207"/>
        <source>Torch CPU threads in every engine thread (0: cores - 1, at least 1).</source>
        <translation>每个引擎线程中 Torch 使用的 CPU 线程数（0：核心数 - 1，至少 1）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="208"/>
        <source>Mixed precision on CUDA (ignored elsewhere).</source>
        <translation>在 CUDA 上使用混合精度（其他设备上忽略）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="209"/>
        <source>Average the losses over this many steps and report them.</source>
        <translation>把损失在这么多步上取平均后报告。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="210"/>
        <source>Draw display samples at most this often; also capped to 10% of training time.</source>
        <translation>最多每隔这么多步抽取一次显示用样本；另外不超过训练时间的 10%。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="211"/>
        <source>Largest share of wall time spent drawing display samples.</source>
        <translation>抽取显示用样本所占实际时间的最大比例。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="212"/>
        <source>Images in the sample grid (points: ten times this, at most 5000).</source>
        <translation>样本网格中的图像数（点数据：此值的十倍，最多 5000）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="213"/>
        <source>Compute the held-out NLL every this many steps (0: only at the end).</source>
        <translation>每隔这么多步计算一次留出集 NLL（0：只在结束时）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="214"/>
        <source>Held-out examples used by the periodic evaluation.</source>
        <translation>定期评估使用的留出样本数。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="215"/>
        <source>Save a checkpoint every this many steps.</source>
        <translation>每隔这么多步保存一次检查点。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="216"/>
        <source>...and at least every this many seconds (0: steps only).</source>
        <translation>……并且至少每隔这么多秒保存一次（0：只按步数）。</translation>
    </message>
    <message>
        <location filename="../../engine/config.py" line="217"/>
        <source>Keep this many most recent checkpoints (plus the best).</source>
        <translation>保留最近的这么多个检查点（外加最佳的一个）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="45"/>
        <source>Width of the Transformer (embedding size).</source>
        <translation>Transformer 的宽度（嵌入维度）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="45"/>
        <location filename="../../engine/models/diffusion.py" line="66"/>
        <location filename="../../engine/models/flow.py" line="50"/>
        <location filename="../../engine/models/gan.py" line="39"/>
        <location filename="../../engine/models/vae.py" line="40"/>
        <source>units</source>
        <translation>个单元</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="46"/>
        <source>Transformer blocks (attention + MLP).</source>
        <translation>Transformer 块数（注意力 + MLP）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="47"/>
        <source>Attention heads; must divide the width.</source>
        <translation>注意力头数；必须能整除宽度。</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="48"/>
        <source>Dropout in the Transformer, against over-fitting small data sets.</source>
        <translation>Transformer 中的 dropout，防止在小数据集上过拟合。</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="49"/>
        <source>AdamW weight decay on the weight matrices.</source>
        <translation>作用于权重矩阵的 AdamW 权重衰减。</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="50"/>
        <source>Points: tokens per coordinate (bins, including the two tails).</source>
        <translation>点数据：每个坐标的词元数（分箱数，含两端尾部）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="50"/>
        <location filename="../../gui/knob_labels.py" line="64"/>
        <source>bins</source>
        <translation>个分箱</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="51"/>
        <source>Points: the bins cover +-span standard deviations of the data; beyond it an exponential tail takes over.</source>
        <translation>点数据：分箱覆盖数据的 ±span 个标准差；超出部分用指数尾部建模。</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="52"/>
        <location filename="../../engine/models/flow.py" line="54"/>
        <source>std</source>
        <translation>个标准差</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="54"/>
        <source>Sampling temperature of the live samples: below 1 is more typical, above 1 more varied.</source>
        <translation>实时样本的采样温度：小于 1 更典型，大于 1 更多样。</translation>
    </message>
    <message>
        <location filename="../../engine/models/ar.py" line="55"/>
        <source>Sample only among the k most likely tokens (0: all).</source>
        <translation>只在概率最高的 k 个词元中采样（0：全部）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/base.py" line="59"/>
        <source>Condition on class labels when the data has them, so you can ask for &apos;a 7&apos;.</source>
        <translation>数据带有类别标签时以其为条件，这样你可以要求生成“一个 7”。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="49"/>
        <source>What the network predicts: the added noise (eps, DDPM) or the velocity v = sqrt(abar)*eps - sqrt(1-abar)*x0, whose scale is the same at every noise level (learns much faster).</source>
        <translation>网络预测的目标：加入的噪声（eps，DDPM），或速度 v = sqrt(abar)*eps - sqrt(1-abar)*x0，其尺度在各个噪声水平下相同（学得快得多）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="53"/>
        <source>Noise schedule: linear (DDPM&apos;s betas 1e-4..0.02 for 1000 steps) or cosine (Nichol &amp; Dhariwal; destroys information more gently).</source>
        <translation>噪声调度：linear（DDPM 的 beta 在 1000 步内从 1e-4 到 0.02）或 cosine（Nichol 与 Dhariwal；更温和地破坏信息）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="56"/>
        <source>Steps T of the diffusion chain. Training draws t uniformly from 1..T; the likelihood bound sums T terms.</source>
        <translation>扩散链的步数 T。训练时从 1..T 中均匀抽取 t；似然界是 T 项之和。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="59"/>
        <source>Which steps t training draws. uniform: DDPM&apos;s choice. log-normal: the noise-to-signal ratio sigma is log-normal (Karras et al., 2022), so training dwells on the noise levels where the data&apos;s shape is decided; several times faster to learn.</source>
        <translation>训练抽取哪些步 t。uniform：DDPM 的做法。log-normal：噪声信号比 sigma 服从对数正态分布（Karras 等，2022），训练集中在决定数据形状的噪声水平上；学习速度快数倍。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="63"/>
        <source>log-normal sampling: mean of log sigma (sigma = sqrt((1 - abar) / abar)).</source>
        <translation>对数正态采样：log sigma 的均值（sigma = sqrt((1 - abar) / abar)）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="65"/>
        <source>log-normal sampling: standard deviation of log sigma.</source>
        <translation>对数正态采样：log sigma 的标准差。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="66"/>
        <source>Width of the denoising MLP (points).</source>
        <translation>去噪 MLP 的宽度（点数据）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="67"/>
        <source>Residual blocks of the denoising MLP (points).</source>
        <translation>去噪 MLP 的残差块数（点数据）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="68"/>
        <location filename="../../engine/models/flow.py" line="55"/>
        <location filename="../../engine/models/gan.py" line="41"/>
        <location filename="../../engine/models/vae.py" line="42"/>
        <location filename="../../gui/knob_labels.py" line="20"/>
        <source>channels</source>
        <translation>个通道</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="69"/>
        <source>Channels of the U-Net&apos;s first level; doubled at each halving (images).</source>
        <translation>U-Net 第一层的通道数；每次分辨率减半时翻倍（图像）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="70"/>
        <source>Dropout inside the U-Net&apos;s residual blocks (images).</source>
        <translation>U-Net 残差块中的 dropout（图像）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="72"/>
        <source>Learning rate as a multiple of the run&apos;s: the EMA weights that sample smooth out the noise of a higher rate, and a diffusion model&apos;s loss is noisy but stable.</source>
        <translation>学习率为运行学习率的倍数：用于采样的 EMA 权重能平滑较高学习率带来的噪声，而扩散模型的损失虽有噪声但很稳定。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="75"/>
        <source>Decay of the moving average of the weights that samples and likelihoods use. Safe to change while training.</source>
        <translation>采样和似然所用权重的移动平均衰减率。训练中可以安全修改。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="78"/>
        <source>ddim: DDIM (deterministic when eta is 0); ddpm: ancestral sampling; euler: the ODE's Euler step (the same as DDIM with eta 0); heun: Heun's second-order ODE solver, two network calls a step. All work with any number of steps.</source>
        <translation>ddim：DDIM（eta 为 0 时是确定性的）；ddpm：祖先采样；euler：常微分方程的 Euler 步（与 eta 为 0 的 DDIM 相同）；heun：Heun 二阶常微分方程求解器，每步调用两次网络。都可用任意步数。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="81"/>
        <source>Denoising steps for samples, encode and decode (at most T).</source>
        <translation>采样、编码和解码的去噪步数（最多 T）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="83"/>
        <source>DDIM&apos;s noise level: 0 deterministic, 1 equals ancestral sampling.</source>
        <translation>DDIM 的噪声水平：0 为确定性，1 等同于祖先采样。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="85"/>
        <source>Steps of the chosen sampler for the live sample grid and the quality figure while training, kept cheap. 0 picks: 20 for points and small images, 8 for images larger than 16x16.</source>
        <translation>训练时实时样本网格和质量指标所用采样器的步数，保持低开销。0 表示自动选择：点数据和小图像为 20，大于 16x16 的图像为 8。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="88"/>
        <source>Points: the probability-flow ODE likelihood (exact divergence) or the variational bound. Images always use the bound over their grey levels.</source>
        <translation>点数据：概率流 ODE 似然（精确散度）或变分界。图像始终使用其灰度级上的变分界。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="90"/>
        <location filename="../../gui/knob_labels.py" line="73"/>
        <source>timesteps</source>
        <translation>个时间步</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="91"/>
        <source>Monte-Carlo timesteps per example for the variational bound (stratified).</source>
        <translation>变分界对每个样本使用的蒙特卡罗时间步数（分层抽样）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="93"/>
        <source>RK4 steps of the probability-flow ODE likelihood (points).</source>
        <translation>概率流 ODE 似然的 RK4 步数（点数据）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="95"/>
        <source>Conditional models: share of training examples whose label is hidden, so the same network also learns the unconditional model (for guidance).</source>
        <translation>条件模型：隐藏标签的训练样本比例，使同一网络也学到无条件模型（用于引导）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/diffusion.py" line="98"/>
        <source>Conditional models: classifier-free guidance scale for samples; 1 is the plain conditional model, larger values give more typical members of the class.</source>
        <translation>条件模型：采样时的无分类器引导强度；1 为普通条件模型，更大的值给出更典型的类别成员。</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="49"/>
        <source>Points: spline coupling layers (each warps one coordinate).</source>
        <translation>点数据：样条耦合层数（每层变换一个坐标）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="50"/>
        <source>Points: width of each coupling&apos;s MLP.</source>
        <translation>点数据：每个耦合层 MLP 的宽度。</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="51"/>
        <source>Points: hidden layers of each coupling&apos;s MLP.</source>
        <translation>点数据：每个耦合层 MLP 的隐藏层数。</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="52"/>
        <source>Points: segments of each rational-quadratic spline.</source>
        <translation>点数据：每条有理二次样条的分段数。</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="53"/>
        <source>Points: the splines act on +-bound standard deviations; the map is the identity beyond.</source>
        <translation>点数据：样条作用于 ±bound 个标准差之内；超出部分为恒等映射。</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="55"/>
        <source>Images: channels of each coupling&apos;s CNN.</source>
        <translation>图像：每个耦合层 CNN 的通道数。</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="56"/>
        <source>Images: flow steps (ActNorm, 1x1 conv, coupling) per scale.</source>
        <translation>图像：每个尺度的流步数（ActNorm、1x1 卷积、耦合层）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="57"/>
        <source>Images: at most this many squeeze levels (fewer when the size is odd).</source>
        <translation>图像：最多这么多个 squeeze 层级（尺寸为奇数时更少）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="58"/>
        <source>Images: dequantisation draws averaged per held-out image.</source>
        <translation>图像：每张留出图像平均的去量化抽样次数。</translation>
    </message>
    <message>
        <location filename="../../engine/models/flow.py" line="60"/>
        <source>Scale of the base noise for samples: below 1 gives cleaner, less varied samples.</source>
        <translation>采样时基噪声的尺度：小于 1 得到更干净、但多样性更低的样本。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="36"/>
        <source>Adversarial loss. non-saturating: d_real/d_fake are probabilities D(x) in [0, 1]; hinge and wgan-gp: d_real/d_fake are the critic&apos;s raw scores.</source>
        <translation>对抗损失。non-saturating：d_real/d_fake 是 [0, 1] 中的概率 D(x)；hinge 和 wgan-gp：d_real/d_fake 是评判器的原始分数。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="38"/>
        <source>Size of the noise vector z the generator maps to data.</source>
        <translation>生成器映射为数据的噪声向量 z 的维度。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="39"/>
        <source>Width of both MLPs (points).</source>
        <translation>两个 MLP 的宽度（点数据）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="40"/>
        <source>Hidden layers of the generator and of the discriminator (points).</source>
        <translation>生成器和判别器的隐藏层数（点数据）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="42"/>
        <source>Channels of the discriminator&apos;s first conv layer and the generator&apos;s last (images).</source>
        <translation>判别器第一个卷积层和生成器最后一个卷积层的通道数（图像）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="44"/>
        <source>Discriminator (critic) updates per generator update; wgan-gp usually wants 5. Safe to change while training.</source>
        <translation>每次生成器更新对应的判别器（评判器）更新次数；wgan-gp 通常取 5。训练中可以安全修改。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="46"/>
        <source>Spectral normalisation of every discriminator layer (Lipschitz 1).</source>
        <translation>对判别器的每一层做谱归一化（Lipschitz 常数为 1）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="48"/>
        <source>R1 penalty on the discriminator&apos;s gradient at real data (non-saturating and hinge): steadies training and prevents mode collapse. 0 turns it off.</source>
        <translation>在真实数据处对判别器梯度施加 R1 惩罚（non-saturating 和 hinge）：稳定训练并防止模式崩溃。0 为关闭。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="51"/>
        <source>Gradient penalty weight of wgan-gp (on points between real and fake).</source>
        <translation>wgan-gp 的梯度惩罚权重（作用于真实与生成样本之间的点）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="53"/>
        <source>Discriminator learning rate as a multiple of the run&apos;s. 0 picks 0.3 for points (a 2D GAN oscillates at rates a single network takes in its stride) and 1 for images (where the slower rate costs more than it steadies).</source>
        <translation>判别器学习率为运行学习率的倍数。0 表示自动选择：点数据取 0.3（单个网络能轻松承受的学习率会让二维 GAN 振荡），图像取 1（更慢的学习率代价大于它带来的稳定）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="57"/>
        <source>Generator learning rate as a multiple of the run&apos;s; 0 picks as for the discriminator.</source>
        <translation>生成器学习率为运行学习率的倍数；0 的选择方式与判别器相同。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="59"/>
        <source>Adam&apos;s first moment decay for both players (GANs like 0 to 0.5).</source>
        <translation>两个网络的 Adam 一阶矩衰减率（GAN 通常取 0 到 0.5）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/gan.py" line="61"/>
        <source>Decay of the moving average of the generator used for samples and decoding (about 1 / (1 - decay) steps of memory; a GAN&apos;s generator moves fast, so a long memory blurs it). Safe to change while training.</source>
        <translation>用于采样和解码的生成器移动平均衰减率（约记忆 1 / (1 - decay) 步；GAN 的生成器变化很快，记忆太长会使其模糊）。训练中可以安全修改。</translation>
    </message>
    <message>
        <location filename="../../engine/models/vae.py" line="39"/>
        <source>Size of the latent code z. 2 lets you explore it as a plane.</source>
        <translation>潜在编码 z 的维度。取 2 时可以把它当作平面来探索。</translation>
    </message>
    <message>
        <location filename="../../engine/models/vae.py" line="40"/>
        <source>Width of the MLP layers (points).</source>
        <translation>MLP 层的宽度（点数据）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/vae.py" line="41"/>
        <source>Hidden layers in the encoder and in the decoder (points).</source>
        <translation>编码器和解码器中的隐藏层数（点数据）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/vae.py" line="42"/>
        <source>Channels of the first conv layer; doubled at each downsampling (images).</source>
        <translation>第一个卷积层的通道数；每次下采样时翻倍（图像）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/vae.py" line="44"/>
        <source>Weight of the KL term (beta-VAE). 1 gives the true ELBO; larger values trade reconstruction for a smoother latent. Safe to change while training.</source>
        <translation>KL 项的权重（beta-VAE）。1 对应真正的 ELBO；更大的值以重建质量换取更平滑的潜在空间。训练中可以安全修改。</translation>
    </message>
    <message>
        <location filename="../../engine/models/vae.py" line="47"/>
        <source>Ramp the KL weight from 0 to beta over this fraction of the run (and at most 5000 steps), so the decoder learns to use the latent code before the prior pulls it in (0: no ramp).</source>
        <translation>在运行的这一比例内（最多 5000 步）把 KL 权重从 0 逐渐增加到 beta，使解码器在先验把潜在编码拉回之前学会使用它（0：不预热）。</translation>
    </message>
    <message>
        <location filename="../../engine/models/vae.py" line="50"/>
        <source>Importance samples for the held-out likelihood bound.</source>
        <translation>留出集似然界所用的重要性采样数。</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="14"/>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="15"/>
        <source>n train</source>
        <translation>训练样本数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="16"/>
        <source>n test</source>
        <translation>留出样本数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="17"/>
        <source>seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="18"/>
        <source>normalize</source>
        <translation>标准化</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="19"/>
        <source>image size</source>
        <translation>图像尺寸</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="21"/>
        <source>resize</source>
        <translation>缩放方式</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="22"/>
        <source>strict</source>
        <translation>严格模式</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="23"/>
        <source>max items</source>
        <translation>最大样本数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="24"/>
        <source>allow download</source>
        <translation>允许下载</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="25"/>
        <source>mirrors</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="28"/>
        <source>time limit</source>
        <translation>时间上限</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="29"/>
        <source>batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="30"/>
        <source>grad clip</source>
        <translation>梯度裁剪</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="31"/>
        <source>device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="32"/>
        <source>threads</source>
        <translation>线程数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="33"/>
        <source>amp</source>
        <translation>混合精度</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="34"/>
        <source>log every</source>
        <translation>记录间隔</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="35"/>
        <source>sample every</source>
        <translation>采样间隔</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="36"/>
        <source>sample budget</source>
        <translation>采样时间占比</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="37"/>
        <source>n display</source>
        <translation>显示样本数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="38"/>
        <source>eval every</source>
        <translation>评估间隔</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="39"/>
        <source>eval limit</source>
        <translation>评估样本数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="40"/>
        <source>checkpoint every</source>
        <translation>检查点间隔</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="41"/>
        <source>checkpoint seconds</source>
        <translation>检查点秒数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="42"/>
        <source>keep checkpoints</source>
        <translation>保留检查点数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="43"/>
        <source>conditional</source>
        <translation>条件生成</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="44"/>
        <source>latent dim</source>
        <translation>潜在维度</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="45"/>
        <source>hidden</source>
        <translation>隐藏宽度</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="46"/>
        <source>depth</source>
        <translation>深度</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="47"/>
        <source>width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="48"/>
        <source>beta</source>
        <translation>beta</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="49"/>
        <source>kl warmup</source>
        <translation>KL 预热</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="50"/>
        <source>iw samples</source>
        <translation>重要性采样数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="51"/>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="52"/>
        <source>d steps</source>
        <translation>判别器步数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="53"/>
        <source>spectral norm</source>
        <translation>谱归一化</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="54"/>
        <source>r1 weight</source>
        <translation>R1 权重</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="55"/>
        <source>gp weight</source>
        <translation>梯度惩罚权重</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="56"/>
        <source>d lr scale</source>
        <translation>判别器学习率倍数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="57"/>
        <source>g lr scale</source>
        <translation>生成器学习率倍数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="58"/>
        <source>beta1</source>
        <translation>beta1</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="59"/>
        <source>ema decay</source>
        <translation>EMA 衰减</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="60"/>
        <source>layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="61"/>
        <source>heads</source>
        <translation>注意力头数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="62"/>
        <source>dropout</source>
        <translation>dropout</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="63"/>
        <source>weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="65"/>
        <source>span</source>
        <translation>跨度</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="66"/>
        <source>temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="67"/>
        <source>top k</source>
        <translation>top k</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="68"/>
        <source>bound</source>
        <translation>边界</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="69"/>
        <source>scales</source>
        <translation>尺度数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="70"/>
        <source>eval samples</source>
        <translation>评估抽样数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="71"/>
        <source>prediction</source>
        <translation>预测目标</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="72"/>
        <source>schedule</source>
        <translation>噪声调度</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="74"/>
        <source>time sampling</source>
        <translation>时间步采样</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="75"/>
        <source>noise mean</source>
        <translation>噪声均值</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="76"/>
        <source>noise std</source>
        <translation>噪声标准差</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="77"/>
        <source>lr scale</source>
        <translation>学习率倍数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="78"/>
        <source>sampler</source>
        <translation>采样器</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="79"/>
        <source>sample steps</source>
        <translation>采样步数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="80"/>
        <source>eta</source>
        <translation>eta</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="81"/>
        <source>display steps</source>
        <translation>显示步数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="82"/>
        <source>likelihood</source>
        <translation>似然</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="83"/>
        <source>ll timesteps</source>
        <translation>似然时间步数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="84"/>
        <source>ode steps</source>
        <translation>ODE 步数</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="85"/>
        <source>label dropout</source>
        <translation>标签丢弃率</translation>
    </message>
    <message>
        <location filename="../../gui/knob_labels.py" line="86"/>
        <source>guidance</source>
        <translation>引导强度</translation>
    </message>
    <message>
        <source>covariance</source>
        <translation>方差矩阵</translation>
    </message>
    <message>
        <source>Shape of the covariance: full (every correlation), diag (independent coordinates) or pca (rank-limited correlations plus isotropic noise: probabilistic PCA).</source>
        <translation>方差矩阵的形式：full（所有相关性）、diag（各坐标独立）或 pca（低维的相关性加各向同性噪声：概率 PCA）。</translation>
    </message>
    <message>
        <source>rank</source>
        <translation>主方向数</translation>
    </message>
    <message>
        <source>pca: how many principal directions keep their own variance.</source>
        <translation>pca：保留自己方差的主方向个数。</translation>
    </message>
    <message>
        <source>covariance regularisation</source>
        <translation>方差矩阵正则化</translation>
    </message>
    <message>
        <source>Added to the covariance&apos;s diagonal (model units), so a coordinate that never varies still has a density.</source>
        <translation>加到方差矩阵的对角线上（模型单位），使从不变化的坐标也有密度。</translation>
    </message>
    <message>
        <source>components</source>
        <translation>分量数</translation>
    </message>
    <message>
        <source>Gaussian components K of the mixture.</source>
        <translation>混合模型的高斯分量个数 K。</translation>
    </message>
    <message>
        <source>Covariance of each component: full, diag (independent coordinates), or auto (full up to 16 dimensions, diag above).</source>
        <translation>每个分量的方差矩阵：full、diag（各坐标独立）或 auto（16 维以内用 full，以上用 diag）。</translation>
    </message>
    <message>
        <source>covariance prior</source>
        <translation>方差矩阵先验</translation>
    </message>
    <message>
        <source>Strength of the covariance prior: each component&apos;s variances grow by reg / pi_k, so none collapses onto one point.</source>
        <translation>方差矩阵先验的强度：每个分量的方差增加 reg / pi_k，使分量不会收缩到单个点上。</translation>
    </message>
    <message>
        <source>bandwidth rule</source>
        <translation>带宽法则</translation>
    </message>
    <message>
        <source>Rule of thumb for the kernel width: Silverman&apos;s or Scott&apos;s.</source>
        <translation>核宽度的经验法则：Silverman 或 Scott。</translation>
    </message>
    <message>
        <source>bandwidth scale</source>
        <translation>带宽倍数</translation>
    </message>
    <message>
        <source>Multiplies the rule&apos;s kernel width: below 1 under-smooths (spikes on the training points), above 1 over-smooths. Safe to change while training.</source>
        <translation>与法则给出的核宽度相乘：小于 1 时平滑不足（训练点上很高的小高斯），大于 1 时过度平滑。可在训练时修改。</translation>
    </message>
    <message>
        <source>kernel centres</source>
        <translation>核中心数</translation>
    </message>
    <message>
        <source>Training points kept as kernel centres (every density evaluation sums over all of them).</source>
        <translation>作为核中心保存的训练点个数（每次评估密度都要对它们全部求和）。</translation>
    </message>
    <message>
        <source>leave-one-out points</source>
        <translation>留一法点数</translation>
    </message>
    <message>
        <source>Stored points scored by leave-one-out at every step.</source>
        <translation>每一步用留一法评分的保存点个数。</translation>
    </message>
    <message>
        <source>max length</source>
        <translation>最大长度</translation>
    </message>
    <message>
        <source>max vocab</source>
        <translation>最大字符数</translation>
    </message>
    <message>
        <source>word dropout</source>
        <translation>词丢弃</translation>
    </message>
    <message>
        <source>network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>characters</source>
        <translation>字符</translation>
    </message>
    <message>
        <source>Text: the longest line allowed, in characters (0: the longest line of the file, which may have at most 256; a longer line is refused, naming it).</source>
        <translation>文本：允许的最长一行，以字符计（0：取文件中最长的一行，最多 256；更长的行会被拒绝并给出行号）。</translation>
    </message>
    <message>
        <source>Text: refuse files with more distinct characters than this (a guard against binary or mixed-up files; raise it for a large alphabet).</source>
        <translation>文本：拒绝不同字符多于此数的文件（防止二进制或错误的文件；字符集较大时请调高）。</translation>
    </message>
    <message>
        <source>Text: share of the decoder's input characters replaced by a blank while training, so it must read the line from z (against posterior collapse).</source>
        <translation>文本：训练时解码器输入字符被替换为空白的比例，使其必须从 z 读出整行（防止后验崩溃）。</translation>
    </message>
    <message>
        <source>Text: the sequence network, a causal Transformer or a recurrent GRU (points and images always use the Transformer).</source>
        <translation>文本：序列网络，因果 Transformer 或 GRU（点和图像始终使用 Transformer）。</translation>
    </message>
    <message>
        <source>image net</source>
        <translation>图像网络</translation>
    </message>
    <message>
        <source>prior</source>
        <translation>先验</translation>
    </message>
    <message>
        <source>max dilation</source>
        <translation>最大扩张</translation>
    </message>
    <message>
        <source>stacks</source>
        <translation>卷积栈数</translation>
    </message>
    <message>
        <source>pixel output</source>
        <translation>像素输出</translation>
    </message>
    <message>
        <source>mixtures</source>
        <translation>混合数</translation>
    </message>
    <message>
        <source>PixelCNN: the residual blocks' dilations double from 1 up to this, then start again: each pixel sees more of the image (a whole digit) at the same cost per pass. 1: plain 3x3 blocks.</source>
        <translation>PixelCNN：残差块的扩张从 1 加倍到这个值，然后重新开始：每个像素看到图像的更多部分（整个数字），每次前向的开销不变。1：普通的 3x3 块。</translation>
    </message>
    <message>
        <source>PixelCNN: 1, one stack of masked convolutions (it never sees the pixels above and to the right of each pixel); 2, a vertical and a horizontal stack that see every pixel above and to the left; a step costs about 1.4 times as much.</source>
        <translation>PixelCNN：1，单个掩码卷积栈（永远看不到每个像素右上方的像素）；2，一个垂直栈和一个水平栈，能看到上方和左侧的每个像素；每步开销约为 1.4 倍。</translation>
    </message>
    <message>
        <source>PixelCNN: what it says of each sub-pixel's level: softmax, a probability for every level learned apart; logistic-mixture, a few bell-shaped bumps over the levels, so neighbouring levels are alike from the start (photographs; PixelCNN++).</source>
        <translation>PixelCNN：它如何给出每个子像素的取值：softmax，为每个灰度级分别学习一个概率；logistic-mixture，在各灰度级上放几个钟形的峰，从一开始相邻的灰度级就相近（适合照片；PixelCNN++）。</translation>
    </message>
    <message>
        <source>PixelCNN with logistic-mixture output: bumps per sub-pixel.</source>
        <translation>使用 logistic-mixture 输出的 PixelCNN：每个子像素的峰数。</translation>
    </message>
    <message>
        <source>quality samples</source>
        <translation>质量样本数</translation>
    </message>
    <message>
        <source>Images: conv (a conv encoder and decoder of the given width) or mlp (fully connected layers of the given hidden width and depth over the flattened image: many times cheaper per image on a CPU).</source>
        <translation>图像：conv（给定宽度的卷积编码器和解码器）或 mlp（在展平的图像上用给定隐藏宽度和深度的 MLP 层：在 CPU 上每张图像的开销低很多倍）。</translation>
    </message>
    <message>
        <source>Where random samples start: standard (the normal the KL term pulls the codes towards) or mixture (a mixture of Gaussians fitted to the codes of the latest training images: samples look like the data where the codes do not fill the normal). The likelihood bound uses the same prior.</source>
        <translation>随机样本从哪里开始：standard（KL 项把编码拉向的正态分布）或 mixture（拟合到最近训练图像编码上的高斯混合分布：在编码没有填满正态分布的地方，样本也像数据）。似然下界使用同一个先验。</translation>
    </message>
    <message>
        <source>Images: conv (DCGAN-style nets of the given width) or mlp (fully connected nets of the given hidden width and depth over the flattened image: many times cheaper per image on a CPU).</source>
        <translation>图像：conv（给定宽度的 DCGAN 式网络）或 mlp（在展平的图像上用给定隐藏宽度和深度的 MLP 网络：在 CPU 上每张图像的开销低很多倍）。</translation>
    </message>
    <message>
        <source>Images: unet (a U-Net of the given width) or mlp (a residual MLP of the given hidden width and depth over the flattened image: many times cheaper per image on a CPU).</source>
        <translation>图像：unet（给定宽度的 U-Net）或 mlp（在展平的图像上用给定隐藏宽度和深度的残差 MLP：在 CPU 上每张图像的开销低很多倍）。</translation>
    </message>
    <message>
        <source>Images: transformer (attention over every sub-pixel) or pixelcnn (a gated PixelCNN of masked convolutions: width channels, layers residual blocks; many times cheaper per image on a CPU, the same exact likelihood).</source>
        <translation>图像：transformer（对每个子像素做注意力）或 pixelcnn（由 masked 卷积构成的 gated PixelCNN：width 个通道，layers 个残差块；在 CPU 上每张图像的开销低很多倍，似然同样精确）。</translation>
    </message>
    <message>
        <source>Images: samples drawn at each evaluation for the quality figure (Frechet distance to held-out images in a small classifier's features; 0: off).</source>
        <translation>图像：每次评估时为质量指标抽取的样本数（在一个小分类器的隐藏层输出中与留出图像的 Frechet 距离；0：关闭）。</translation>
    </message>
    <message>
        <source>norm group</source>
        <translation>归一化组通道数</translation>
    </message>
    <message>
        <source>Fewest channels that share a normalisation group in the U-Net (images). 1 normalises each channel of a narrow level alone, which erases a shape&apos;s colour from its features.</source>
        <translation>U-Net 中共享一个归一化组的最少通道数（图像）。为 1 时，窄层的每个通道单独归一化，会从特征中抹去形状的颜色。</translation>
    </message>
</context>
<context>
    <name>KnobForm</name>
    <message>
        <location filename="../../gui/widgets/knob_form.py" line="33"/>
        <source>Choices: {choices}</source>
        <translation>可选值：{choices}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/knob_form.py" line="35"/>
        <source>{low} to {high}</source>
        <translation>{low} 到 {high}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/knob_form.py" line="36"/>
        <source>Range: {range}</source>
        <translation>范围：{range}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/knob_form.py" line="37"/>
        <source>Default: {default}</source>
        <translation>默认值：{default}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/knob_form.py" line="38"/>
        <source>&lt;i&gt;Takes effect immediately, even while training.&lt;/i&gt;</source>
        <translation>&lt;i&gt;立即生效，训练中也可修改。&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/knob_form.py" line="39"/>
        <source>&lt;i&gt;Takes effect at the next Train (a restart is needed).&lt;/i&gt;</source>
        <translation>&lt;i&gt;下次训练时生效（需要重新开始）。&lt;/i&gt;</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <location filename="../../gui/language_menu.py" line="19"/>
        <source>The language changes to {language} when GenLab starts again.</source>
        <translation>界面语言将在 GenLab 下次启动时切换为{language}。</translation>
    </message>
    <message>
        <location filename="../../gui/language_menu.py" line="24"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/language_menu.py" line="66"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/language_menu.py" line="68"/>
        <source>&amp;About GenLab</source>
        <translation>关于 GenLab(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/language_menu.py" line="71"/>
        <source>&amp;Licences</source>
        <translation>许可证(&amp;L)</translation>
    </message>
</context>
<context>
    <name>LatentDock</name>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="44"/>
        <source>Latent axes</source>
        <translation>潜在坐标轴</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="45"/>
        <source>Principal components</source>
        <translation>主成分</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="46"/>
        <source>Random directions</source>
        <translation>随机方向</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="47"/>
        <source>Through A and B</source>
        <translation>经过 A 和 B</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="54"/>
        <source>Latent</source>
        <translation>潜在空间</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="97"/>
        <source>Train a model: its latent space appears here, decoded live from the newest weights.</source>
        <translation>训练一个模型：它的潜在空间会显示在这里，并用最新权重实时解码。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="176"/>
        <source>Waiting for the first weights of the run…</source>
        <translation>正在等待本次运行的第一份权重…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="177"/>
        <source>{family}: waiting for the first snapshot of the weights.</source>
        <translation>{family}：正在等待第一份权重快照。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="236"/>
        <source>The {family} family has no encoder: its latent is only decoded.</source>
        <translation>{family} 模型族没有编码器：它的潜在空间只能解码。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="252"/>
        <source>The autoregressive model has no latent: keep the top of an image (or draw on it) and let the model complete it.</source>
        <translation>自回归模型没有潜在空间：保留图像的上部（或在上面绘制），让模型补全其余部分。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="257"/>
        <source>The {family} family has no latent space to explore here (completion is for images; see Inside the model for 2-D data).</source>
        <translation>{family} 模型族在这里没有可探索的潜在空间（补全仅适用于图像；二维数据请看“模型内部”）。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="259"/>
        <source>The {family} family has no latent space to explore here.</source>
        <translation>{family} 模型族在这里没有可探索的潜在空间。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="281"/>
        <source>the latent</source>
        <translation>潜在空间</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="282"/>
        <source>Drag on the plane through {what} ({d} dimensions); right-drag pans, the wheel zooms. The pictures come from a copy of the newest weights; training is not disturbed.</source>
        <translation>在穿过{what}（{d} 维）的平面上拖动；右键拖动平移，滚轮缩放。图像来自最新权重的副本，不会干扰训练。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="309"/>
        <source>Mark ends A and B first (Interpolate tab) to use the plane through them.</source>
        <translation>请先（在“插值”页）标记端点 A 和 B，才能使用经过它们的平面。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="434"/>
        <source>Mark ends A and B first.</source>
        <translation>请先标记端点 A 和 B。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="445"/>
        <source>Ends set: {ends}.</source>
        <translation>已设端点：{ends}。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="458"/>
        <source>Train a model with an encoder first.</source>
        <translation>请先训练一个带编码器的模型。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="474"/>
        <source>Completing…</source>
        <translation>正在补全…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="503"/>
        <source>, {n} DDIM steps</source>
        <translation>，{n} 步 DDIM</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="504"/>
        <source>step {step:,}: decoded in {ms:.0f} ms{steps}</source>
        <translation>第 {step:,} 步：解码用时 {ms:.0f} 毫秒{steps}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="533"/>
        <source>{n} steps, {mode}, weights of step {step:,}.</source>
        <translation>{n} 步，{mode}，第 {step:,} 步的权重。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="541"/>
        <source>Encoded {what} {which}: marked E on the plane. Drag to edit it.</source>
        <translation>已编码{what} {which}：在平面上标为 E。拖动即可编辑。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="557"/>
        <source>Encode an image</source>
        <translation>编码图像</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="558"/>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff)</source>
        <translation>图像 (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff)</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="593"/>
        <source>there is no interpolation strip to save yet</source>
        <translation>还没有可保存的插值图像条</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="600"/>
        <source>Save the interpolation</source>
        <translation>保存插值</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="601"/>
        <source>GIF (*.gif)</source>
        <translation>GIF 动画 (*.gif)</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="601"/>
        <source>PNG (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="607"/>
        <source>Could not save {name}: {e}</source>
        <translation>无法保存 {name}：{e}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/latent_dock.py" line="609"/>
        <source>Saved {saved}</source>
        <translation>已保存 {saved}</translation>
    </message>
</context>
<context>
    <name>LatentPage</name>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="46"/>
        <source>Sliders</source>
        <translation>滑块</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="47"/>
        <source>Interpolate</source>
        <translation>插值</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="48"/>
        <source>Encode</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="57"/>
        <source>Plane</source>
        <translation>平面</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="59"/>
        <source>Which plane through the latent the view shows</source>
        <translation>视图显示潜在空间中的哪个平面</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="62"/>
        <source>Refit</source>
        <translation>重新拟合</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="63"/>
        <source>Encode the training data again and refit the principal components, or draw new random directions</source>
        <translation>重新编码训练数据并重新拟合主成分，或抽取新的随机方向</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="66"/>
        <source>Fit view</source>
        <translation>适应视图</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="67"/>
        <source>Show the encoded data again (zooming or panning stops the view following it)</source>
        <translation>重新显示编码后的数据（缩放或平移后视图不再跟随）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="69"/>
        <source>grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="73"/>
        <source>The manifold view decodes a k x k grid over the visible square of the plane</source>
        <translation>流形视图在平面的可见正方形上解码一个 k x k 网格</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="75"/>
        <source>class</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="77"/>
        <source>Conditional models: the class the latent is decoded as</source>
        <translation>条件模型：潜在向量解码时所属的类别</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="84"/>
        <source>Denoising steps while the pointer moves (fast, rough)</source>
        <translation>指针移动时的去噪步数（快速、粗略）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="85"/>
        <source>rest</source>
        <translation>静止</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="89"/>
        <source>Denoising steps once the pointer rests (slower, sharper), and for encoding by DDIM inversion</source>
        <translation>指针停下后的去噪步数（较慢、更清晰），也用于 DDIM 反演编码</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_page.py" line="80"/>
        <source>Steps: preview</source>
        <translation>步数：预览</translation>
    </message>
</context>
<context>
    <name>LearnDock</name>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="83"/>
        <source>Learn</source>
        <translation>学习</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="126"/>
        <source>Mathematics</source>
        <translation>数学原理</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="129"/>
        <source>Families compared</source>
        <translation>模型族比较</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="132"/>
        <source>As a classifier</source>
        <translation>用作分类器</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="312"/>
        <source>Pick a model family in Setup to see its mathematics here.</source>
        <translation>在“设置”中选择一个模型族，即可在这里查看它的数学原理。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="327"/>
        <source>Waiting for the data and the runs folder…</source>
        <translation>正在等待数据和运行文件夹…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="343"/>
        <source>Pick a model family and labelled data in Setup.</source>
        <translation>请在“设置”中选择模型族和带标签的数据。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="353"/>
        <source>The data has no class labels, so there is no p(x | y) to compare. Pick labelled data (digits, MNIST, Fashion-MNIST, CIFAR-10, or your own folder with one subfolder per class).</source>
        <translation>数据没有类别标签，因此没有可比较的 p(x | y)。请选择带标签的数据（digits、MNIST、Fashion-MNIST、CIFAR-10，或每个类别一个子文件夹的自有文件夹）。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="356"/>
        <source>A {family} has no likelihood: it draws samples but never says how probable an x is, so Bayes&apos; rule has nothing to work with. Train a VAE, autoregressive, flow or diffusion model with “conditional” ticked in the model settings.</source>
        <translation>{family} 没有似然：它能抽取样本，却从不给出某个 x 的概率，因此贝叶斯公式无从下手。请在模型设置中勾选“条件生成”，训练 VAE、自回归、流或扩散模型。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="360"/>
        <source>This model was trained without its labels, so it has no p(x | y). Tick “conditional” in the model settings and train again.</source>
        <translation>此模型训练时没有使用标签，因此没有 p(x | y)。请在模型设置中勾选“条件生成”后重新训练。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="370"/>
        <source>Train this model (its newest weights are classified here), or open a run from Runs.</source>
        <translation>训练此模型（这里用它的最新权重分类），或从“运行”中打开一个运行。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="373"/>
        <source>Ready: weights of step {step}.</source>
        <translation>就绪：第 {step} 步的权重。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="392"/>
        <source>The data loaded now is not the data this model was trained on; pick that data in Setup.</source>
        <translation>当前加载的数据不是此模型训练时用的数据；请在“设置”中选择那份数据。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/learn_dock.py" line="440"/>
        <source>Could not classify: {why}</source>
        <translation>无法分类：{why}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="32"/>
        <source>exact</source>
        <translation>精确</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="33"/>
        <source>bound</source>
        <translation>界</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="34"/>
        <source>ODE (exact up to numerical error)</source>
        <translation>ODE（在数值误差内精确）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="35"/>
        <source>estimate</source>
        <translation>估计</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/learn_pages.py" line="36"/>
        <source>none</source>
        <translation>无</translation>
    </message>
</context>
<context>
    <name>LogDock</name>
    <message>
        <location filename="../../gui/docks/log_dock.py" line="20"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../../gui/docks/log_dock.py" line="34"/>
        <source>Copy all</source>
        <translation>全部复制</translation>
    </message>
    <message>
        <location filename="../../gui/docks/log_dock.py" line="36"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
</context>
<context>
    <name>LossesDock</name>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="35"/>
        <source>Losses</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="52"/>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="56"/>
        <source>Exponential moving average of the curves (0: raw values). The hover readout shows raw and smoothed values.</source>
        <translation>曲线的指数移动平均（0：原始值）。悬停读数同时显示原始值和平滑值。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="65"/>
        <source>Log scale</source>
        <translation>对数刻度</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="66"/>
        <source>Symmetric log scale: logarithmic for large magnitudes, linear near zero, so negative losses (GAN, NLL) are shown too.</source>
        <translation>对称对数刻度：数值大时为对数、接近零时为线性，因此负的损失（GAN、NLL）也能显示。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="70"/>
        <source>x axis</source>
        <translation>x 轴</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="72"/>
        <source>steps</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="73"/>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="76"/>
        <source>Follow</source>
        <translation>跟随</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="78"/>
        <source>Keep the newest points in view. Turned off when you pan or zoom with the mouse (wheel, drag); tick it to follow again.</source>
        <translation>让最新的点保持在视图内。用鼠标平移或缩放（滚轮、拖动）时会关闭；勾选即可重新跟随。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="89"/>
        <location filename="../../gui/docks/losses_dock.py" line="196"/>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="90"/>
        <location filename="../../gui/docks/losses_dock.py" line="215"/>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="106"/>
        <location filename="../../gui/docks/losses_dock.py" line="130"/>
        <source>Pick data and a model in Setup, then press Train (Ctrl+Return): the losses appear here.</source>
        <translation>在“设置”中选择数据和模型，然后按“训练”（Ctrl+Return）：损失会显示在这里。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="196"/>
        <source>seconds of training</source>
        <translation>训练秒数</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="215"/>
        <source>loss (symmetric log)</source>
        <translation>损失（对称对数）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/losses_dock.py" line="232"/>
        <source>step {step:,}:  {values}   (hover for values)</source>
        <translation>第 {step:,} 步：  {values}   （悬停查看数值）</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>{detector}: {saw}. Try: {advice}</source>
        <translation>{detector}：{saw}。可以尝试：{advice}</translation>
    </message>
    <message>
        <source>At step {step:,} the run&apos;s detectors saw trouble.</source>
        <translation>在第 {step:,} 步，运行的检测器发现了不对的地方。</translation>
    </message>
    <message>
        <source>step {step:,}: the detectors no longer see that trouble</source>
        <translation>第 {step:,} 步：检测器不再发现那个不对的地方</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="113"/>
        <source>Controls</source>
        <translation>控制</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="130"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="136"/>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="139"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="202"/>
        <source>checkpoint saved at step {step:,}</source>
        <translation>已在第 {step:,} 步保存检查点</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="204"/>
        <source>paused at step {step:,}</source>
        <translation>已在第 {step:,} 步暂停</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="205"/>
        <source>resumed at step {step:,}</source>
        <translation>已在第 {step:,} 步继续</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="211"/>
        <source>loss term &apos;{term}&apos; is not finite at step {step:,}; shown as a gap ({n} such points so far)</source>
        <translation>损失项“{term}”在第 {step:,} 步不是有限值；以空缺显示（目前共 {n} 个这样的点）</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="251"/>
        <source>window shown after {seconds:.2f} s; </source>
        <translation>窗口在 {seconds:.2f} 秒后显示；</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="253"/>
        <source>GenLab {version}: {shown}PyTorch ready after {ready:.2f} s (import {imported:.2f} s); devices: {devices}</source>
        <translation>GenLab {version}：{shown}PyTorch 在 {ready:.2f} 秒后就绪（导入 {imported:.2f} 秒）；设备：{devices}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="258"/>
        <source>the {family} family is present but could not be loaded: {why}</source>
        <translation>{family} 模型族存在但无法加载：{why}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="261"/>
        <source>no model family could be loaded</source>
        <translation>没有可加载的模型族</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="275"/>
        <source>PyTorch could not start: {message}</source>
        <translation>PyTorch 无法启动：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="276"/>
        <source>PyTorch could not start: {message}. Training is unavailable.</source>
        <translation>PyTorch 无法启动：{message}。无法训练。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="290"/>
        <source>cannot train: {e}</source>
        <translation>无法训练：{e}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="305"/>
        <source>continuing {family} on {data}: {steps:,} steps, seed {seed}, run folder {run_dir}</source>
        <translation>继续在 {data} 上训练 {family}：{steps:,} 步，种子 {seed}，运行文件夹 {run_dir}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="306"/>
        <source>training {family} on {data}: {steps:,} steps, seed {seed}, run folder {run_dir}</source>
        <translation>在 {data} 上训练 {family}：{steps:,} 步，种子 {seed}，运行文件夹 {run_dir}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="330"/>
        <source>stopping: saving a checkpoint…</source>
        <translation>正在停止：保存检查点…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="339"/>
        <source>reset: the next Train starts a fresh run</source>
        <translation>已重置：下次训练将开始全新的运行</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="377"/>
        <source>Draw your points on the canvas: press and drag (at least 3 points). They become the training set and are kept in the run&apos;s config.</source>
        <translation>在画布上绘制你的点：按住并拖动（至少 3 个点）。它们会成为训练集，并保存在运行的配置中。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="387"/>
        <source>loading {name} was cancelled</source>
        <translation>已取消加载 {name}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="388"/>
        <source>loading {name} cancelled</source>
        <translation>已取消加载 {name}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="406"/>
        <source>dropped {path}: loading it as the training data</source>
        <translation>已拖入 {path}：正在将其加载为训练数据</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="446"/>
        <source>run started on {device} with {threads} thread(s)</source>
        <translation>运行已在 {device} 上开始，使用 {threads} 个线程</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="453"/>
        <source>, {bits:.3f} bits/dim</source>
        <translation>，{bits:.3f} 比特/维</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="456"/>
        <source>held-out NLL at step {step:,}: {nll:.4f} nats{kind}{extra}</source>
        <translation>第 {step:,} 步的留出集 NLL：{nll:.4f} 奈特{kind}{extra}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="464"/>
        <source>training {reason} at step {step:,}; run folder {run_dir}</source>
        <translation>训练在第 {step:,} 步{reason}；运行文件夹 {run_dir}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="469"/>
        <source>training failed: {message}</source>
        <translation>训练失败：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="470"/>
        <location filename="../../gui/main_window.py" line="476"/>
        <source> (details in {path})</source>
        <translation>（详情见 {path}）</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="471"/>
        <source>Training failed: {message}</source>
        <translation>训练失败：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="475"/>
        <source>unexpected error: {summary}</source>
        <translation>意外错误：{summary}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="477"/>
        <source>Something went wrong: {summary}. The window keeps working.</source>
        <translation>出现错误：{summary}。窗口仍可继续使用。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="497"/>
        <source>the saved setup was unreadable and was ignored</source>
        <translation>保存的设置无法读取，已忽略</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="509"/>
        <source>the saved layout did not fit this version; using the default layout</source>
        <translation>保存的布局与此版本不符；改用默认布局</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="534"/>
        <source>the run</source>
        <translation>此运行</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="547"/>
        <source>closed while training: run stopped in {took:.2f} s</source>
        <translation>训练中关闭：运行在 {took:.2f} 秒内停止</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="548"/>
        <source>closed while training: the run did not stop within {limit:.0f} s</source>
        <translation>训练中关闭：运行未能在 {limit:.0f} 秒内停止</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <location filename="../../gui/notice.py" line="22"/>
        <source>Notices</source>
        <translation>通知</translation>
    </message>
    <message>
        <location filename="../../gui/notice.py" line="42"/>
        <source>Open crash log</source>
        <translation>打开崩溃日志</translation>
    </message>
    <message>
        <location filename="../../gui/notice.py" line="45"/>
        <source>Show log</source>
        <translation>显示日志</translation>
    </message>
    <message>
        <location filename="../../gui/notice.py" line="48"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../gui/notice.py" line="65"/>
        <source>
Details: {path}</source>
        <translation>
详情：{path}</translation>
    </message>
</context>
<context>
    <name>PointPainter</name>
    <message>
        <location filename="../../gui/widgets/point_painter.py" line="44"/>
        <source>Press and drag to paint points; the brush size sets how widely they spread.</source>
        <translation>按住并拖动来绘制点；画笔大小决定点散开的范围。</translation>
    </message>
</context>
<context>
    <name>PosteriorView</name>
    <message>
        <location filename="../../gui/widgets/inside_views.py" line="164"/>
        <source>z1</source>
        <translation>z1</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/inside_views.py" line="165"/>
        <source>z2</source>
        <translation>z2</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <location filename="../../gui/dialogs/preferences.py" line="19"/>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/preferences.py" line="30"/>
        <source>The folder new runs go to and the Runs panel lists (empty: the default)</source>
        <translation>新运行保存到的文件夹，也是“运行”面板列出的文件夹（留空：默认位置）</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/preferences.py" line="32"/>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/preferences.py" line="35"/>
        <location filename="../../gui/dialogs/preferences.py" line="52"/>
        <source>Runs folder</source>
        <translation>运行文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/preferences.py" line="36"/>
        <source>When I close the window during training, ask whether to keep training in the background, stop and save, or discard the run</source>
        <translation>训练中关闭窗口时，询问是在后台继续训练、停止并保存，还是丢弃此运行</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/preferences.py" line="40"/>
        <source>Closing</source>
        <translation>关闭时</translation>
    </message>
    <message>
        <location filename="../../gui/dialogs/preferences.py" line="42"/>
        <source>Without asking, closing stops the run and saves a checkpoint first.</source>
        <translation>不询问时，关闭窗口会停止运行并先保存检查点。</translation>
    </message>
</context>
<context>
    <name>RunTasks</name>
    <message>
        <location filename="../../gui/run_tasks.py" line="18"/>
        <source>Sample grid as PNG (with the run&apos;s config)…</source>
        <translation>样本网格导出为 PNG（含运行配置）…</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="19"/>
        <source>PNG pictures (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="20"/>
        <source>Sample history as GIF…</source>
        <translation>样本历史导出为 GIF…</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="21"/>
        <source>GIF animations (*.gif)</source>
        <translation>GIF 动画 (*.gif)</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="22"/>
        <source>Metrics as CSV…</source>
        <translation>指标导出为 CSV…</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="22"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="23"/>
        <source>Network as ONNX…</source>
        <translation>网络导出为 ONNX…</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="24"/>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="25"/>
        <source>Network as torch.export program…</source>
        <translation>网络导出为 torch.export 程序…</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="26"/>
        <source>torch.export programs (*.pt2)</source>
        <translation>torch.export 程序 (*.pt2)</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="29"/>
        <source>open the run</source>
        <translation>打开运行</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="29"/>
        <source>fork the run</source>
        <translation>分叉运行</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="30"/>
        <source>compare the runs</source>
        <translation>比较运行</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="30"/>
        <source>delete the run</source>
        <translation>删除运行</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="31"/>
        <source>export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="31"/>
        <source>read the curves</source>
        <translation>读取曲线</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="56"/>
        <source>The {family} family has nothing to export: {why}</source>
        <translation>{family} 模型族没有可导出的内容：{why}</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="59"/>
        <source>The {family} family has no exporter</source>
        <translation>{family} 模型族没有导出器</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="61"/>
        <source>A {family} on {kind} cannot be exported: {why}</source>
        <translation>{kind}上的 {family} 无法导出：{why}</translation>
    </message>
    <message>
        <location filename="../../gui/run_tasks.py" line="64"/>
        <source>Not as ONNX: {why}</source>
        <translation>不能导出为 ONNX：{why}</translation>
    </message>
</context>
<context>
    <name>RunsController</name>
    <message>
        <location filename="../../gui/runs_controller.py" line="482"/>
        <source>The loss blew up at step {from_step:,}: training went back to its checkpoint at step {step:,} with the learning rate halved to {lr:.3g} (the Log has the figures).</source>
        <translation>损失在第 {from_step:,} 步失控：训练已回到第 {step:,} 步的检查点，学习率减半为 {lr:.3g}（数值见日志）。</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="36"/>
        <source>could not append to {path}: {error}; training continues</source>
        <translation>无法写入 {path}：{error}；训练继续</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="37"/>
        <source>could not write samples to {path}: {error}; training continues</source>
        <translation>无法把样本写入 {path}：{error}；训练继续</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="38"/>
        <source>could not save a checkpoint at step {step} in {path}: {error}; training continues and earlier checkpoints are intact</source>
        <translation>无法在第 {step} 步把检查点保存到 {path}：{error}；训练继续，之前的检查点完好无损</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="52"/>
        <source>Save run config…</source>
        <translation>保存运行配置…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="52"/>
        <source>Save the Setup&apos;s settings as a config file (genlab train --config FILE trains it)</source>
        <translation>把“设置”中的设置保存为配置文件（用 genlab train --config FILE 训练）</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="54"/>
        <source>Load run config…</source>
        <translation>加载运行配置…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="54"/>
        <source>Load settings from a config.json or a PNG exported by GenLab</source>
        <translation>从 config.json 或 GenLab 导出的 PNG 加载设置</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="56"/>
        <source>Copy as command</source>
        <translation>复制为命令</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="57"/>
        <source>Copy the &apos;genlab train&apos; line for the Setup&apos;s settings</source>
        <translation>复制与“设置”对应的“genlab train”命令行</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="59"/>
        <source>Preferences…</source>
        <translation>首选项…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="59"/>
        <source>Runs folder; what closing during training does</source>
        <translation>运行文件夹；训练中关闭窗口时的行为</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="61"/>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="138"/>
        <source>Select a run in Runs (or train one) first</source>
        <translation>请先在“运行”中选择一个运行（或训练一个）</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="142"/>
        <source>{what} of {run}</source>
        <translation>{run} 的{what}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="148"/>
        <source>cannot {what} while this window is training (or starting); stop it first</source>
        <translation>此窗口正在训练（或启动）时无法{what}；请先停止</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="154"/>
        <source>open a run</source>
        <translation>打开运行</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="156"/>
        <source>opening run {name}…</source>
        <translation>正在打开运行 {name}…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="161"/>
        <location filename="../../gui/runs_controller.py" line="462"/>
        <source>continue a run</source>
        <translation>继续运行</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="168"/>
        <source>Continue {run} from its checkpoint at step {done:,} for how many more steps?</source>
        <translation>从第 {done:,} 步的检查点继续训练 {run}，再训练多少步？</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="170"/>
        <source>
{left:,} finish its planned {total:,}.</source>
        <translation>
再训练 {left:,} 步即可完成计划的 {total:,} 步。</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="171"/>
        <source>Continue training</source>
        <translation>继续训练</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="176"/>
        <source>continuing run {run} for {steps:,} more steps…</source>
        <translation>继续训练运行 {run}，再训练 {steps:,} 步…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="199"/>
        <source>opened run {run}: {family} on {data}, step {step:,}, {state}; {n} sample grids, checkpoints at {steps}</source>
        <translation>已打开运行 {run}：{data} 上的 {family}，第 {step:,} 步，{state}；{n} 个样本网格，检查点位于 {steps}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="201"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="211"/>
        <source>fork a run</source>
        <translation>分叉运行</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="220"/>
        <source>fork</source>
        <translation>分叉</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="234"/>
        <source>no changes</source>
        <translation>无改动</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="235"/>
        <source>forking {run} at step {step} ({what}) into {new_run}…</source>
        <translation>正在从第 {step} 步分叉 {run}（{what}）到 {new_run}…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="236"/>
        <source>newest</source>
        <translation>最新</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="243"/>
        <source>select two or more runs to compare (Ctrl+click in Runs)</source>
        <translation>请选择两个或更多运行进行比较（在“运行”中 Ctrl+单击）</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="253"/>
        <source>delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="253"/>
        <source>{run} is training in this window; stop it before deleting it</source>
        <translation>{run} 正在此窗口中训练；请先停止再删除</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="257"/>
        <source>Delete run</source>
        <translation>删除运行</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="258"/>
        <source>Delete the run &lt;b&gt;{run}&lt;/b&gt; with its checkpoints, curves and samples? This cannot be undone.</source>
        <translation>删除运行 &lt;b&gt;{run}&lt;/b&gt; 及其检查点、曲线和样本？此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="261"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="275"/>
        <source>export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="275"/>
        <source>select a run in Runs (or train one) first</source>
        <translation>请先在“运行”中选择一个运行（或训练一个）</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="286"/>
        <source>exporting {run}: {what} to {out}…</source>
        <translation>正在导出 {run}：{what}到 {out}…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="295"/>
        <location filename="../../gui/runs_controller.py" line="307"/>
        <source>save the config</source>
        <translation>保存配置</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="299"/>
        <source>Save run config</source>
        <translation>保存运行配置</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="301"/>
        <source>Run configs (*.json)</source>
        <translation>运行配置 (*.json)</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="309"/>
        <source>saved the run config to {out} (genlab train --config {out} trains it)</source>
        <translation>已把运行配置保存到 {out}（用 genlab train --config {out} 训练）</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="317"/>
        <source>Load run config</source>
        <translation>加载运行配置</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="317"/>
        <source>Run configs (*.json *.png);;All files (*)</source>
        <translation>运行配置 (*.json *.png);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="327"/>
        <location filename="../../gui/runs_controller.py" line="330"/>
        <location filename="../../gui/runs_controller.py" line="334"/>
        <source>load the config</source>
        <translation>加载配置</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="334"/>
        <source>{path}: the {family} family is not available here</source>
        <translation>{path}：此处没有 {family} 模型族</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="338"/>
        <source>loaded the run config from {path}: {family} on {name}</source>
        <translation>已从 {path} 加载运行配置：{name} 上的 {family}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="347"/>
        <location filename="../../gui/runs_controller.py" line="358"/>
        <source>copy the command</source>
        <translation>复制命令</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="364"/>
        <source>copied to the clipboard: {line}</source>
        <translation>已复制到剪贴板：{line}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="365"/>
        <source>Command copied to the clipboard</source>
        <translation>命令已复制到剪贴板</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="371"/>
        <source>Runs folder</source>
        <translation>运行文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="399"/>
        <source>Non-finite loss ({terms}) at step {step:,}: training paused. Roll back to the last good checkpoint and lower the learning rate, or Reset and train again.</source>
        <translation>第 {step:,} 步出现非有限损失（{terms}）：训练已暂停。可回滚到最近的正常检查点并降低学习率，或重置后重新训练。</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="401"/>
        <source>Roll back and lower the learning rate</source>
        <translation>回滚并降低学习率</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="405"/>
        <source>nothing to roll back: no run is training</source>
        <translation>无可回滚：没有正在训练的运行</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="407"/>
        <source>rolling back to the last good checkpoint with the learning rate x{lr_factor:g}…</source>
        <translation>正在回滚到最近的正常检查点，学习率乘以 {lr_factor:g}…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="433"/>
        <source>the run did not stop within {timeout:.0f} s; it was left as it is in {run_dir}</source>
        <translation>运行未能在 {timeout:.0f} 秒内停止；已原样保留在 {run_dir}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="439"/>
        <source>training continues in the background (process {pid}); output in {path}</source>
        <translation>训练在后台继续（进程 {pid}）；输出见 {path}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="444"/>
        <source>discarded the run {name}</source>
        <translation>已丢弃运行 {name}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="471"/>
        <source>forked into {name} (its config records the parent)</source>
        <translation>已分叉到 {name}（其配置记录了父运行）</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="476"/>
        <source>compared {runs}</source>
        <translation>已比较 {runs}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="482"/>
        <source>deleted the run {name}</source>
        <translation>已删除运行 {name}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="484"/>
        <source>exported {result}</source>
        <translation>已导出 {result}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="485"/>
        <source>Exported {result}</source>
        <translation>已导出 {result}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="497"/>
        <source>could not {what}: {message}</source>
        <translation>无法{what}：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="498"/>
        <source>Could not {what}: {message}</source>
        <translation>无法{what}：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="362"/>
        <source>Config from a file</source>
        <translation>来自文件的配置</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="363"/>
        <source>The config in &lt;b&gt;{name}&lt;/b&gt; asks GenLab to:&lt;ul&gt;{items}&lt;/ul&gt;Allow this? A config from a file may name built-in and downloadable datasets on its own; anything else needs your permission.</source>
        <translation>&lt;b&gt;{name}&lt;/b&gt; 中的配置要求 GenLab：&lt;ul&gt;{items}&lt;/ul&gt;是否允许？来自文件的配置可以自行指定内置和可下载的数据集；其他任何内容都需要你的许可。</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="363"/>
        <source>Allow</source>
        <translation>允许</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="370"/>
        <source>Don&apos;t allow</source>
        <translation>不允许</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="375"/>
        <source>allowed the config from {path} to {what}</source>
        <translation>已允许来自 {path} 的配置：{what}</translation>
    </message>
    <message>
        <location filename="../../gui/runs_controller.py" line="382"/>
        <source>did not allow the config from {path} to {what}; its data mirrors were cleared and the Setup&apos;s data kept</source>
        <translation>未允许来自 {path} 的配置：{what}；已清除其下载镜像，并保留“设置”中的数据</translation>
    </message>
    <message>
        <source>Training stopped: {message}. The window and the run are safe: the run keeps everything to its checkpoint at step {step:,}, and Continue trains on from there.</source>
        <translation>训练已停止：{message}。窗口和运行都是安全的：运行的一切都保存在第 {step:,} 步的检查点中，点“继续”即可从那里接着训练。</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
</context>
<context>
    <name>RunsDock</name>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="30"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="30"/>
        <source>Family</source>
        <translation>模型族</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="31"/>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="31"/>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="32"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="32"/>
        <source>Last loss</source>
        <translation>最近损失</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="33"/>
        <source>Best held-out</source>
        <translation>最佳留出集</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="33"/>
        <source>Updated</source>
        <translation>更新时间</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="43"/>
        <source>{bpd:.3f} bits/dim</source>
        <translation>{bpd:.3f} 比特/维</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="45"/>
        <source>{nll:.3f} nats</source>
        <translation>{nll:.3f} 奈特</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="83"/>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="102"/>
        <source>Workspace: –</source>
        <translation>工作区：–</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="106"/>
        <source>Change…</source>
        <translation>更改…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="107"/>
        <source>Choose the folder whose runs are listed and where new runs are written</source>
        <translation>选择列出其中运行、并写入新运行的文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="110"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="134"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="134"/>
        <source>Show this run&apos;s settings, curves, samples and weights</source>
        <translation>显示此运行的设置、曲线、样本和权重</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="136"/>
        <source>Continue…</source>
        <translation>继续…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="137"/>
        <location filename="../../gui/docks/runs_dock.py" line="312"/>
        <source>Train this run further from its newest checkpoint</source>
        <translation>从最新检查点起继续训练此运行</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="139"/>
        <source>Fork…</source>
        <translation>分叉…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="139"/>
        <source>Start a new run from one of this run&apos;s checkpoints with changed settings</source>
        <translation>从此运行的某个检查点以修改后的设置开始新的运行</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="142"/>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="142"/>
        <source>Select two or more runs on the same data (Ctrl+click) to compare their curves, samples and held-out figures</source>
        <translation>选择同一数据上的两个或更多运行（Ctrl+单击），比较它们的曲线、样本和留出集指标</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="146"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="146"/>
        <location filename="../../gui/docks/runs_dock.py" line="314"/>
        <source>Delete this run&apos;s folder (asks first; never a run that is training)</source>
        <translation>删除此运行的文件夹（会先确认；正在训练的运行不会被删除）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="149"/>
        <source>Copy command</source>
        <translation>复制命令</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="149"/>
        <source>Copy the &apos;genlab train&apos; line that trains this run&apos;s settings again</source>
        <translation>复制能按此运行的设置重新训练的“genlab train”命令行</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="153"/>
        <location filename="../../gui/docks/runs_dock.py" line="324"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="154"/>
        <source>Save this run&apos;s samples, metrics or network</source>
        <translation>保存此运行的样本、指标或网络</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="162"/>
        <location filename="../../gui/docks/runs_dock.py" line="254"/>
        <source>No runs here yet: press Train, or choose another folder.</source>
        <translation>这里还没有运行：按“训练”，或选择其他文件夹。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="180"/>
        <source>Workspace: {workspace}</source>
        <translation>工作区：{workspace}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="211"/>
        <source>Could not list the runs: {message}</source>
        <translation>无法列出运行：{message}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="235"/>
        <source>checkpoints at steps {steps}</source>
        <translation>检查点位于第 {steps} 步</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="236"/>
        <source>no checkpoint yet</source>
        <translation>尚无检查点</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="238"/>
        <source>
forked from {parent}</source>
        <translation>
分叉自 {parent}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="310"/>
        <source>Stop training first</source>
        <translation>请先停止训练</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="311"/>
        <source>This run is training now</source>
        <translation>此运行正在训练</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="313"/>
        <source>This run is training now; stop it before deleting it</source>
        <translation>此运行正在训练；请先停止再删除</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="346"/>
        <source>The process stopped without closing the run (killed or crashed); everything up to its last checkpoint is kept, and Continue resumes from there.</source>
        <translation>进程在未关闭运行的情况下停止了（被终止或崩溃）；最后一个检查点之前的内容都已保留，“继续”会从那里恢复。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="348"/>
        <source>Being trained now (by this window or another process)</source>
        <translation>正在训练中（由此窗口或其他进程）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="349"/>
        <source>Stopped before its planned end; Continue resumes it</source>
        <translation>在计划结束前已停止；可用“继续”恢复</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="241"/>
        <source>
damaged: {reason}</source>
        <translation>
已损坏：{reason}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/runs_dock.py" line="353"/>
        <source>Some of this run&apos;s files are damaged or not GenLab&apos;s</source>
        <translation>此运行的部分文件已损坏或不是 GenLab 的文件</translation>
    </message>
</context>
<context>
    <name>SamplesDock</name>
    <message>
        <source>Quality at step {step:,}: Fréchet {value:.3g} = {ratio:.1f}x the real-vs-real floor ({floor:.3g}).</source>
        <translation>第 {step:,} 步的质量：Fréchet 距离 {value:.3g} = 真实对真实下限（{floor:.3g}）的 {ratio:.1f} 倍。</translation>
    </message>
    <message>
        <source>Real images score {low:.1f}-{high:.1f}x.</source>
        <translation>真实图像的得分在 {low:.1f}-{high:.1f} 倍之间。</translation>
    </message>
    <message>
        <source>The classifier recognises {share:.0%} of the samples (real images: {real:.0%}).</source>
        <translation>分类器认出了 {share:.0%} 的样本（真实图像：{real:.0%}）。</translation>
    </message>
    <message>
        <source>Fréchet distance between the features of the model&apos;s samples and of held-out images, in a small classifier trained on this run&apos;s training images (lower is better). The floor is the same distance for as many real training images: about 1x the floor is as good as real data. With labelled data, also the share of samples the classifier recognises: it is sure of their class (probability 0.9 or more) and they lie among real images in its features; beside the same share of real training images.</source>
        <translation>模型样本与留出图像在一个小分类器内部表示中的 Fréchet 距离（分类器用本次运行的训练图像训练，越低越好）。下限是同样数量的真实训练图像的同一距离：约为下限的 1 倍即与真实数据一样好。有标签的数据还显示分类器认出的样本比例：它确定样本的类别（概率 0.9 或以上），且样本在它的特征中位于真实图像之间；以及真实训练图像的同一比例。</translation>
    </message>
    <message>
        <source>As close as real images get at this many samples.</source>
        <translation>在这个样本数下，已与真实图像一样接近。</translation>
    </message>
    <message>
        <source>At this rate, {target:.2g}x the floor in about {time} more.</source>
        <translation>按现在的速度，大约再过 {time} 达到下限的 {target:.2g} 倍。</translation>
    </message>
    <message>
        <source>A time estimate follows the next evaluation.</source>
        <translation>下一次评估后给出时间估计。</translation>
    </message>
    <message>
        <source>Not improving since the last evaluation: no time estimate.</source>
        <translation>自上次评估以来没有改进：无法估计时间。</translation>
    </message>
    <message>
        <source>Sample quality: measured at each evaluation.</source>
        <translation>样本质量：在每次评估时测量。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="46"/>
        <source>Samples</source>
        <translation>样本</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="60"/>
        <location filename="../../gui/docks/samples_dock.py" line="121"/>
        <source>Samples appear here when training starts.</source>
        <translation>训练开始后样本会显示在这里。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="76"/>
        <source>Every sample grid this run has drawn, oldest on the left (read from the run&apos;s samples folder).</source>
        <translation>本次运行抽取的每个样本网格，最早的在左边（从运行的 samples 文件夹读取）。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="83"/>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="86"/>
        <source>Follow the newest samples</source>
        <translation>跟随最新样本</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="106"/>
        <source>Waiting for the first samples…</source>
        <translation>正在等待第一批样本…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="153"/>
        <source>{n} points</source>
        <translation>{n} 个点</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="153"/>
        <source>image grid</source>
        <translation>图像网格</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="154"/>
        <source>Live: step {step:,}, {what}</source>
        <translation>实时：第 {step:,} 步，{what}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="154"/>
        <source>Stored: step {step:,}, {what}</source>
        <translation>已保存：第 {step:,} 步，{what}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="180"/>
        <source>{i} of {n}: step {step:,}</source>
        <translation>第 {i} / {n} 个：第 {step:,} 步</translation>
    </message>
    <message>
        <location filename="../../gui/docks/samples_dock.py" line="196"/>
        <source>Cannot read {name}: {e}</source>
        <translation>无法读取 {name}：{e}</translation>
    </message>
    <message>
        <source>{n} lines, {k} new (★: not in the training set)</source>
        <translation>{n} 行，{k} 行是新的（★：不在训练集中）</translation>
    </message>
</context>
<context>
    <name>SetupDock</name>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="42"/>
        <source>Setup</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="63"/>
        <source>Starting PyTorch… the settings appear in a moment.</source>
        <translation>正在启动 PyTorch…设置马上就会出现。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="69"/>
        <source>Show advanced settings</source>
        <translation>显示高级设置</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="93"/>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="98"/>
        <source>Built-in datasets, and files or folders you opened</source>
        <translation>内置数据集，以及你打开过的文件或文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="102"/>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="103"/>
        <source>Use your own data: a file (.npy, ...) or a folder of images</source>
        <translation>使用你自己的数据：一个文件（.npy 等）或一个图像文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="106"/>
        <source>Open file…</source>
        <translation>打开文件…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="107"/>
        <source>Open folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="129"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="136"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="137"/>
        <source>Reset the model and training settings to a good first run for this family and this kind of data</source>
        <translation>把模型和训练设置重置为适合此模型族和此类数据的首次运行预设</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="147"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="161"/>
        <source>Replicable</source>
        <translation>可复现</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="164"/>
        <source>Checked: every Train uses this seed, so the same settings give the same run. Unchecked: each Train draws a fresh seed (shown here).</source>
        <translation>勾选：每次训练都使用此种子，相同设置得到相同的运行。不勾选：每次训练抽取新的种子（显示在这里）。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="167"/>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="171"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="201"/>
        <source>auto ({device})</source>
        <translation>自动（{device}）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="207"/>
        <source>No model family could be loaded; see the Log.</source>
        <translation>没有可加载的模型族；请查看日志。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="222"/>
        <location filename="../../gui/docks/setup_dock.py" line="225"/>
        <source>last setup not restored: {error}</source>
        <translation>未恢复上次的设置：{error}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="229"/>
        <source>last setup used the {family} family, which is not available; starting from defaults</source>
        <translation>上次的设置使用了 {family} 模型族，但它不可用；改用默认设置</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="248"/>
        <source>{drawn} (paint your own)</source>
        <translation>{drawn}（自己绘制）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="249"/>
        <source>Paint 2D points with the mouse in the Data panel; they are kept in the run&apos;s config</source>
        <translation>在“数据”面板中用鼠标绘制二维点；它们保存在运行的配置中</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="256"/>
        <source>{name} (download)</source>
        <translation>{name}（下载）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="257"/>
        <source>{name}: downloaded once, then read from the cache</source>
        <translation>{name}：只下载一次，之后从缓存读取</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="310"/>
        <source>Open your data</source>
        <translation>打开你的数据</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="310"/>
        <source>Data files ({pattern});;All files (*)</source>
        <translation>数据文件 ({pattern});;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="315"/>
        <source>Open a folder of images</source>
        <translation>打开图像文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="333"/>
        <source>2D points</source>
        <translation>二维点</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="333"/>
        <source>images {shape}</source>
        <translation>图像 {shape}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="334"/>
        <source>{n:,} examples
{what}</source>
        <translation>{n:,} 个样本
{what}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="335"/>
        <source>
{n} classes</source>
        <translation>
{n} 个类别</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="347"/>
        <source>could not be loaded (see the Log)</source>
        <translation>无法加载（请查看日志）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="410"/>
        <source>settings: preset for the {family} family on {kind} data</source>
        <translation>设置：{family} 模型族在{kind}数据上的预设</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="480"/>
        <source>settings: preset for the {family} family on {kind} data, the {size} network for this shape</source>
        <translation>设置：{family} 模型族在{kind}数据上的预设，按此形状选用 {size} 网络</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="495"/>
        <source>Restart needed for {names}: they apply at the next Train.</source>
        <translation>{names} 需要重新开始：将在下次训练时生效。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="526"/>
        <source>{name} (cached)</source>
        <translation>{name}（已缓存）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="527"/>
        <source>{name} (download, {size})</source>
        <translation>{name}（下载，{size}）</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="528"/>
        <source>{title}
{size} download, checked against its published SHA-256; kept in {folder}
Licence: {licence}</source>
        <translation>{title}
下载 {size}，按其公布的 SHA-256 校验；保存在 {folder}
许可证：{licence}</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="531"/>
        <source>
Already downloaded: loads without the network.</source>
        <translation>
已下载：无需网络即可加载。</translation>
    </message>
    <message>
        <location filename="../../gui/docks/setup_dock.py" line="532"/>
        <source>
Downloaded the first time you pick it; Cancel stops it.</source>
        <translation>
首次选择时下载；“取消”可中止。</translation>
    </message>
    <message>
        <source>lines of up to {n} characters</source>
        <translation>每行最多 {n} 个字符</translation>
    </message>
    <message>
        <source>{family} cannot model {kind} data: {reason}</source>
        <translation>{family} 无法建模{kind}数据：{reason}</translation>
    </message>
    <message>
        <source>not supported</source>
        <translation>不可用</translation>
    </message>
    <message>
        <source>Time budget</source>
        <translation>时间预算</translation>
    </message>
</context>
<context>
    <name>SlidersPanel</name>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="51"/>
        <source>Latent dimension {i}, from -{range:g} to +{range:g}; the handle on the plane follows.</source>
        <translation>潜在维度 {i}，从 -{range:g} 到 +{range:g}；平面上的手柄会随之移动。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/latent_panels.py" line="62"/>
        <source>(and {more} more dimensions, moved by the handle)</source>
        <translation>（另有 {more} 个维度，由手柄控制）</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../../gui/status_bar.py" line="18"/>
        <source>starting PyTorch…</source>
        <translation>正在启动 PyTorch…</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="18"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="19"/>
        <source>training</source>
        <translation>训练中</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="19"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="20"/>
        <source>stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="54"/>
        <source>device –</source>
        <translation>设备 –</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="55"/>
        <source>step –</source>
        <translation>步 –</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="56"/>
        <source>– steps/s</source>
        <translation>– 步/秒</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="57"/>
        <source>ETA –</source>
        <translation>剩余 –</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="58"/>
        <source>RAM –</source>
        <translation>内存 –</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="64"/>
        <source>Time left at the current speed (or until the time limit)</source>
        <translation>按当前速度估算的剩余时间（或距时间上限的时间）</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="65"/>
        <source>Memory this process uses (resident set), and GPU memory on CUDA</source>
        <translation>此进程占用的内存（常驻集），使用 CUDA 时还包括 GPU 显存</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="77"/>
        <source>device {device}</source>
        <translation>设备 {device}</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="79"/>
        <source>step {step:,} / {total:,}</source>
        <translation>第 {step:,} / {total:,} 步</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="81"/>
        <source>{sps:,.0f} steps/s</source>
        <translation>{sps:,.0f} 步/秒</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="82"/>
        <source>{sps:.2f} steps/s</source>
        <translation>{sps:.2f} 步/秒</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="88"/>
        <source>ETA {left}</source>
        <translation>剩余 {left}</translation>
    </message>
</context>
<context>
    <name>engine</name>
    <message>
        <source>other programs kept this machine busy while its speed was measured (GenLab got {share:.0%} of the processor time it asked for): the network may be smaller and the estimate longer than when the machine is quiet; the next plan measures again</source>
        <translation>测量本机速度时其他程序正占用机器（GenLab 只得到所需处理器时间的 {share:.0%}）：网络可能比机器空闲时小，估计的时间可能更长；下次规划时会重新测量</translation>
    </message>
    <message>
        <location filename="../../engine/training/divergence.py" line="108"/>
        <source>the loss climbed from {best:.4g} to {now:.4g} by step {step} (past {threshold:.4g}): the run is diverging. The {max} automatic rollbacks are used up; training goes on. Lower the learning rate or set a gradient clip.</source>
        <translation>损失到第 {step} 步已从 {best:.4g} 增大到 {now:.4g}（超过 {threshold:.4g}）：训练正在发散。{max} 次自动回滚已用完；训练继续。请降低学习率或设置梯度裁剪。</translation>
    </message>
    <message>
        <location filename="../../engine/training/divergence.py" line="113"/>
        <source>the loss climbed from {best:.4g} to {now:.4g} by step {step} (past {threshold:.4g}): the run is diverging, and it could not be rolled back ({error}); training goes on.</source>
        <translation>损失到第 {step} 步已从 {best:.4g} 增大到 {now:.4g}（超过 {threshold:.4g}）：训练正在发散，且无法回滚（{error}）；训练继续。</translation>
    </message>
    <message>
        <location filename="../../engine/training/divergence.py" line="117"/>
        <source>the loss climbed from {best:.4g} to {now:.4g} by step {step} (past {threshold:.4g}): the run was diverging. Rolled back to the checkpoint at step {back} with the learning rate halved to {lr:.3g} (automatic rollback {used} of {max}).</source>
        <translation>损失到第 {step} 步已从 {best:.4g} 增大到 {now:.4g}（超过 {threshold:.4g}）：训练出现了发散。已回滚到第 {back} 步的检查点，学习率减半为 {lr:.3g}（第 {used} 次自动回滚，共 {max} 次）。</translation>
    </message>
    <message>
        <source>memorisation</source>
        <translation>记忆训练数据</translation>
    </message>
    <message>
        <source>mode collapse</source>
        <translation>模式单一化</translation>
    </message>
    <message>
        <source>posterior collapse</source>
        <translation>后验退化</translation>
    </message>
    <message>
        <source>discriminator saturation</source>
        <translation>判别器饱和</translation>
    </message>
    <message>
        <source>gradients</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>loss plateau</source>
        <translation>损失不再下降</translation>
    </message>
    <message>
        <source>the run&apos;s detectors could not look at step {step}: {error}</source>
        <translation>运行的检测器无法在第 {step} 步检查：{error}</translation>
    </message>
    <message>
        <location filename="../../engine/training/loop.py" line="432"/>
        <source>changed {change} at step {step}</source>
        <translation>已在第 {step} 步修改 {change}</translation>
    </message>
    <message>
        <location filename="../../engine/training/loop.py" line="444"/>
        <source>rolled back from step {from_step} to the checkpoint at step {step}; learning rate now {lr:.3g}</source>
        <translation>已从第 {from_step} 步回滚到第 {step} 步的检查点；学习率现为 {lr:.3g}</translation>
    </message>
    <message>
        <location filename="../../engine/training/loop.py" line="501"/>
        <source>non-finite loss ({terms}) at step {step}; training paused. Roll back to the last checkpoint and lower the learning rate.</source>
        <translation>第 {step} 步出现非有限损失（{terms}）；训练已暂停。请回滚到最近的检查点并降低学习率。</translation>
    </message>
    <message>
        <location filename="../../engine/training/loop.py" line="571"/>
        <source>could not save a checkpoint at step {step} in {folder}: {error}; training continues and earlier checkpoints are intact</source>
        <translation>无法在第 {step} 步把检查点保存到 {folder}：{error}；训练继续，之前的检查点完好无损</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="39"/>
        <source>completed</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="39"/>
        <source>time limit</source>
        <translation>达到时间上限</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="40"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="40"/>
        <source>exact</source>
        <translation>精确</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="41"/>
        <source>bound</source>
        <translation>界</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="41"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="42"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="42"/>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="43"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="43"/>
        <source>killed</source>
        <translation>被终止</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="44"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="44"/>
        <source>points</source>
        <translation>点</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="45"/>
        <source>image</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="45"/>
        <source>training continues</source>
        <translation>训练继续</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="43"/>
        <source>damaged</source>
        <translation>已损坏</translation>
    </message>
    <message>
        <location filename="../../engine/data/sources.py" line="39"/>
        <source>download from {detail}</source>
        <translation>从 {detail} 下载</translation>
    </message>
    <message>
        <location filename="../../engine/data/sources.py" line="40"/>
        <source>read data from {detail}</source>
        <translation>从 {detail} 读取数据</translation>
    </message>
    <message>
        <source>samples are {ratio:.2f} times as diverse as held-out data</source>
        <translation>样本的多样性是留出数据的 {ratio:.2f} 倍</translation>
    </message>
    <message>
        <source>Samples cover too little of the data: for an adversarial model slow the discriminator or add a gradient penalty, otherwise train longer or lower the learning rate; check the data is shuffled.</source>
        <translation>样本只覆盖了数据的一小部分：对抗模型请放慢判别器或加入梯度惩罚，其他模型请训练更久或降低学习率；并检查数据是否已打乱。</translation>
    </message>
    <message>
        <source>None needed; diversity under half of the held-out data&apos;s would mean collapse.</source>
        <translation>无需处理；多样性低于留出数据的一半才意味着坍缩。</translation>
    </message>
    <message>
        <source>{active} of {dims} latent units are active; KL to the prior {kl:.3f} nats in all: the decoder ignores the code</source>
        <translation>{dims} 个潜在单元中有 {active} 个活跃；与先验的 KL 共 {kl:.3f} 奈特：解码器忽略了编码</translation>
    </message>
    <message>
        <source>{active} of {dims} latent units are active; KL to the prior {kl:.3f} nats in all</source>
        <translation>{dims} 个潜在单元中有 {active} 个活跃；与先验的 KL 共 {kl:.3f} 奈特</translation>
    </message>
    <message>
        <source>The posterior equals the prior: lower the weight of the KL term, warm it up over longer, or weaken the decoder so it must use the code.</source>
        <translation>后验等于先验：降低 KL 项的权重、延长它的预热，或减弱解码器，使它必须使用编码。</translation>
    </message>
    <message>
        <source>None needed; no active unit (or KL under 0.1 nats) would mean posterior collapse.</source>
        <translation>无需处理；没有活跃单元（或 KL 低于 0.1 奈特）才意味着后验坍缩。</translation>
    </message>
    <message>
        <source>only {held_out} held-out examples: too few to measure how the code varies</source>
        <translation>只有 {held_out} 个留出样例：太少，无法衡量编码如何变化</translation>
    </message>
    <message>
        <source>Keep at least {needed} examples out of training.</source>
        <translation>请至少留出 {needed} 个样例不参与训练。</translation>
    </message>
    <message>
        <source>samples fall in {covered} of {classes} classes</source>
        <translation>样本落在 {classes} 个类别中的 {covered} 个</translation>
    </message>
    <message>
        <source>samples reach {share:.0%} of the data&apos;s mass ({covered} of {regions} regions)</source>
        <translation>样本覆盖了数据质量的 {share:.0%}（{regions} 个区域中的 {covered} 个）</translation>
    </message>
    <message>
        <source>Samples sit on training examples: train on more data, stop earlier (the best held-out checkpoint), or use a smaller model or stronger regularisation.</source>
        <translation>样本与训练样例重合：请用更多数据训练、更早停止（选留出数据上最好的检查点），或使用更小的模型或更强的正则化。</translation>
    </message>
    <message>
        <source>pixels</source>
        <translation>像素</translation>
    </message>
    <message>
        <source>coordinates</source>
        <translation>坐标</translation>
    </message>
    <message>
        <source>features</source>
        <translation>特征</translation>
    </message>
    <message>
        <source>{share:.0%} of samples are closer to a training example than {held:.0%} of held-out examples are ({space}; about {expected:.0%} expected without copying)</source>
        <translation>{share:.0%} 的样本离某个训练样例比 {held:.0%} 的留出样例更近（{space}；不复制时约为 {expected:.0%}）</translation>
    </message>
    <message>
        <source>None needed; a share above {share:.0%} would mean samples copy training data.</source>
        <translation>无需处理；比例高于 {share:.0%} 才意味着样本在复制训练数据。</translation>
    </message>
    <message>
        <source>only {held_out} held-out examples: too few to tell copies from honest samples</source>
        <translation>只有 {held_out} 个留出样例：太少，无法区分复制与真正的新样本</translation>
    </message>
    <message>
        <source>Keep at least {needed} examples out of training to judge copying.</source>
        <translation>请至少留出 {needed} 个样例不参与训练，以便判断复制。</translation>
    </message>
    <message>
        <source>the held-out data itself has exact twins in the training set, so copies are hard to tell apart</source>
        <translation>留出数据本身在训练集中有完全相同的样例，因此很难分辨复制</translation>
    </message>
    <message>
        <source>None needed.</source>
        <translation>无需处理。</translation>
    </message>
    <message>
        <source>the loss did not move over the run ({first:.4g} -&gt; {last:.4g}, noise {noise:.2g})</source>
        <translation>整个运行中损失没有变化（{first:.4g} -&gt; {last:.4g}，噪声 {noise:.2g}）</translation>
    </message>
    <message>
        <source>the critic tells held-out data from samples with AUC {auc:.3f} (it has won)</source>
        <translation>判别器区分留出数据与样本的 AUC 为 {auc:.3f}（它已获胜）</translation>
    </message>
    <message>
        <source>the critic tells held-out data from samples with AUC {auc:.3f}</source>
        <translation>判别器区分留出数据与样本的 AUC 为 {auc:.3f}</translation>
    </message>
    <message>
        <source>The critic separates real from generated almost perfectly: lower its learning rate, add a gradient penalty or spectral normalisation, or give the generator more steps.</source>
        <translation>判别器几乎完全分开了真实与生成的数据：降低它的学习率、加入梯度惩罚或谱归一化，或给生成器更多步数。</translation>
    </message>
    <message>
        <source>None needed; an AUC of {auc} or more would mean the critic saturated.</source>
        <translation>无需处理；AUC 达到 {auc} 或以上才意味着判别器饱和。</translation>
    </message>
    <message>
        <source>gradient norms stayed within a hundredfold of where they started</source>
        <translation>梯度范数保持在起始值的一百倍以内</translation>
    </message>
    <message>
        <source>Exploding: lower the learning rate or set train.grad_clip; vanishing: the network stopped learning (dead units or a saturated critic): lower the learning rate and restart from an earlier checkpoint.</source>
        <translation>爆炸：降低学习率或设置 train.grad_clip；消失：网络停止了学习（死单元或判别器饱和）：降低学习率，并从更早的检查点重新开始。</translation>
    </message>
    <message>
        <source>the loss rose over the second half ({middle:.4g} -&gt; {last:.4g})</source>
        <translation>损失在后半段上升了（{middle:.4g} -&gt; {last:.4g}）</translation>
    </message>
    <message>
        <source>The loss is not going down: check the learning rate (too small: nothing moves; too large: it bounces), and that the model is large enough for the data.</source>
        <translation>损失没有下降：检查学习率（太小：什么都不动；太大：来回跳动），并确认模型对这些数据足够大。</translation>
    </message>
    <message>
        <source>the loss became non-finite</source>
        <translation>损失变成了非有限值</translation>
    </message>
    <message>
        <source>Lower the learning rate or clip gradients (train.grad_clip).</source>
        <translation>降低学习率或裁剪梯度（train.grad_clip）。</translation>
    </message>
    <message>
        <source>the loss went from {first:.4g} to {last:.4g} and has settled over the second half</source>
        <translation>损失从 {first:.4g} 降到 {last:.4g}，并在后半段趋于平稳</translation>
    </message>
    <message>
        <source>the loss went from {first:.4g} to {last:.4g}</source>
        <translation>损失从 {first:.4g} 变为 {last:.4g}</translation>
    </message>
    <message>
        <source>{name}: non-finite gradient norm</source>
        <translation>{name}：梯度范数非有限</translation>
    </message>
    <message>
        <source>{name}: gradient norm spiked to {peak:.3g}, {times:.3g} times its median (exploding)</source>
        <translation>{name}：梯度范数突增到 {peak:.3g}，是其中位数的 {times:.3g} 倍（爆炸）</translation>
    </message>
    <message>
        <source>{name}: gradient norm grew {times:.3g} times (exploding)</source>
        <translation>{name}：梯度范数增长了 {times:.3g} 倍（爆炸）</translation>
    </message>
    <message>
        <source>{name}: gradient norm fell to {late:.3g} (vanishing)</source>
        <translation>{name}：梯度范数降到 {late:.3g}（消失）</translation>
    </message>
    <message>
        <source>detectors at step {step}: {summary}</source>
        <translation>第 {step} 步的检测器：{summary}</translation>
    </message>
    <message>
        <source>{detector} at step {step}: {saw}. Try: {advice}</source>
        <translation>第 {step} 步的{detector}：{saw}。可以尝试：{advice}</translation>
    </message>
    <message>
        <source>{detector} ALARM</source>
        <translation>{detector} 警报</translation>
    </message>
    <message>
        <source>{detector} ok</source>
        <translation>{detector} 正常</translation>
    </message>
</context>
<context>
    <name>TextProbe</name>
    <message>
        <source>Type the beginning of a line: the model shows which character it expects next, with its probability.</source>
        <translation>输入一行的开头：模型显示它预期的下一个字符及其概率。</translation>
    </message>
    <message>
        <source>Type the beginning of a line: the model completes it. Each completion shows its probability under the model; ★ marks lines that are not in the training set.</source>
        <translation>输入一行的开头：模型把它补全。每个补全显示其在模型下的概率；★ 表示不在训练集中的行。</translation>
    </message>
    <message>
        <source>Prefix</source>
        <translation>开头</translation>
    </message>
    <message>
        <source>e.g. jo</source>
        <translation>例如 jo</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Again</source>
        <translation>再来</translation>
    </message>
    <message>
        <source>Draw other completions</source>
        <translation>抽取其他补全</translation>
    </message>
    <message>
        <source>Where the last attention layer looks when it predicts the next character (darker: more weight; ^ is the start of the line)</source>
        <translation>最后一层注意力在预测下一个字符时看向哪里（越深权重越大；^ 是行首）</translation>
    </message>
    <message>
        <source>Next character</source>
        <translation>下一个字符</translation>
    </message>
    <message>
        <source>Waiting for the first weights of the run…</source>
        <translation>等待本次运行的第一份权重…</translation>
    </message>
    <message>
        <source>Step {step:,} of the run</source>
        <translation>运行的第 {step:,} 步</translation>
    </message>
    <message>
        <source>(a recurrent network has no attention to show)</source>
        <translation>（GRU 网络没有可显示的注意力）</translation>
    </message>
    <message>
        <source>new: not in the training set</source>
        <translation>新的：不在训练集中</translation>
    </message>
    <message>
        <source>already in the training set</source>
        <translation>已在训练集中</translation>
    </message>
</context>
<context>
    <name>TextLatentProbe</name>
    <message>
        <source>Drag on the plane through the VAE's latent code: the line shows what the decoder writes there. Dots are training lines where the encoder puts them; dashed circles are the prior's 1 and 2 sigma.</source>
        <translation>在平面上拖动以穿过 VAE 的潜在编码：下方的行是解码器在该处写出的内容。点是编码器放置训练行的位置；两个环是先验的 1 和 2 sigma。</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <source>Morph</source>
        <translation>渐变</translation>
    </message>
    <message>
        <source>Decode the straight path between the two lines' codes</source>
        <translation>解码两行编码之间的直线路径</translation>
    </message>
    <message>
        <source>Waiting for the first weights of the run…</source>
        <translation>等待本次运行的第一份权重…</translation>
    </message>
    <message>
        <source>Step {step:,} of the run</source>
        <translation>运行的第 {step:,} 步</translation>
    </message>
    <message>
        <source>{line}   ({nats:.2f} nats/char, bound)</source>
        <translation>{line}   （{nats:.2f} 奈特/字符，界）</translation>
    </message>
    <message>
        <source>{i}. {line}   ({nats:.2f} nats/char)</source>
        <translation>{i}. {line}   （{nats:.2f} 奈特/字符）</translation>
    </message>
</context>
<context>
    <name>TextSamplesView</name>
    <message>
        <source>new: not in the training set</source>
        <translation>新的：不在训练集中</translation>
    </message>
    <message>
        <source>already in the training set</source>
        <translation>已在训练集中</translation>
    </message>
</context>
<context>
    <name>StepsChart</name>
    <message>
        <source>network evaluations per sample</source>
        <translation>每个样本的网络调用次数</translation>
    </message>
    <message>
        <source>energy distance to held-out</source>
        <translation>到留出数据的能量距离</translation>
    </message>
</context>
<context>
    <name>TakeOver</name>
    <message>
        <location filename="../../gui/take_over.py" line="45"/>
        <source>still waiting for {run} to stop in its other process</source>
        <translation>仍在等待 {run} 在其另一个进程中停止</translation>
    </message>
    <message>
        <location filename="../../gui/take_over.py" line="55"/>
        <source>asking process {pid} to stop training {run}; it saves a checkpoint first…</source>
        <translation>正在请求进程 {pid} 停止训练 {run}；它会先保存检查点…</translation>
    </message>
    <message>
        <location filename="../../gui/take_over.py" line="57"/>
        <source>Waiting for process {pid} to stop…</source>
        <translation>正在等待进程 {pid} 停止…</translation>
    </message>
    <message>
        <location filename="../../gui/take_over.py" line="62"/>
        <source>Continue training here</source>
        <translation>在此继续训练</translation>
    </message>
    <message>
        <location filename="../../gui/take_over.py" line="63"/>
        <source>&lt;b&gt;{run}&lt;/b&gt; is training in another process on this machine (process {pid}), perhaps one kept on after this window closed. Stop it there and continue here? It saves a checkpoint before it stops, so nothing is lost.</source>
        <translation>&lt;b&gt;{run}&lt;/b&gt; 正在本机的另一个进程（进程 {pid}）中训练，可能是此窗口关闭后保留的进程。要在那里停止并在此继续？它停止前会保存检查点，不会丢失任何内容。</translation>
    </message>
    <message>
        <location filename="../../gui/take_over.py" line="68"/>
        <source>Stop it there and continue here</source>
        <translation>在那里停止并在此继续</translation>
    </message>
    <message>
        <location filename="../../gui/take_over.py" line="79"/>
        <source>process {pid} stopped training {run}; continuing it here</source>
        <translation>进程 {pid} 已停止训练 {run}；在此继续训练</translation>
    </message>
    <message>
        <location filename="../../gui/take_over.py" line="87"/>
        <source>take the run over</source>
        <translation>停止另一个进程中的训练</translation>
    </message>
</context>
<context>
    <name>BudgetPicker</name>
    <message>
        <source>none (the settings below)</source>
        <translation>无（使用下方设置）</translation>
    </message>
    <message>
        <source>about 1 minute</source>
        <translation>约 1 分钟</translation>
    </message>
    <message>
        <source>about 5 minutes</source>
        <translation>约 5 分钟</translation>
    </message>
    <message>
        <source>about 30 minutes</source>
        <translation>约 30 分钟</translation>
    </message>
    <message>
        <source>Size the model, batch and learning-rate schedule for this much training time on this machine (measured once per kind of data, and again while other programs keep the processor busy), and stop then.</source>
        <translation>按本机上这么多的训练时间确定模型、批大小和学习率计划（每种数据测量一次；其他程序占用处理器时会再次测量），到时停止训练。</translation>
    </message>
    <message>
        <source>Measuring this machine&apos;s speed for {family} models (a few seconds)…</source>
        <translation>正在测量本机训练 {family} 模型的速度（几秒钟）…</translation>
    </message>
    <message>
        <source>Measured while other programs kept the processor busy (GenLab got {share:.0%} of it): when the machine is quiet, choosing again may give a larger network.</source>
        <translation>测量时其他程序正占用处理器（GenLab 只得到其中的 {share:.0%}）：机器空闲时重新选择，可能会得到更大的网络。</translation>
    </message>
    <message>
        <source>Could not measure this machine&apos;s speed: {error}</source>
        <translation>无法测量本机的速度：{error}</translation>
    </message>
    <message>
        <source>{minutes:g} min here: network &apos;{size}&apos;, {rate:.1f} steps/s measured on this machine, about {steps:,} steps.</source>
        <translation>本机 {minutes:g} 分钟：网络“{size}”，实测每秒 {rate:.1f} 步，约 {steps:,} 步。</translation>
    </message>
    <message>
        <source>{minutes:g} min of training with the {kind} preset.</source>
        <translation>使用{kind}预设训练 {minutes:g} 分钟。</translation>
    </message>
</context>
<context>
    <name>FollowedRun</name>
    <message>
        <source>following run {run}: another process is training it</source>
        <translation>正在跟随运行 {run}：另一个进程正在训练它</translation>
    </message>
    <message>
        <source>run {run} is no longer training ({state})</source>
        <translation>运行 {run} 已不再训练（{state}）</translation>
    </message>
</context>
<context>
    <name>RunSession</name>
    <message>
        <source>could not start a training process in advance: {e}</source>
        <translation>无法提前启动训练进程：{e}</translation>
    </message>
</context>
</TS>
