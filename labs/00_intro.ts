/**
 * Lab 00 · Introduction: what a large language model is, the pipeline from text to the next
 * token, attention in one example, the three transformer families, and how small our model is
 * next to GPT-2, GPT-3 and GPT-4. Ends with an environment check, two exercises and the course's
 * reading list.
 *
 * Follows the course's notebook 00; its French example sentences are kept as they are.
 * @module
 */
import { barChart } from "../lib/charts.ts";
import { countParameters, GPT2_SMALL, type GPTConfig } from "../lib/model/config.ts";
import { PRESETS } from "../lib/train/presets.ts";
import { runDoctor } from "../lib/course/doctor.ts";
import { READING_LIST, readingRows } from "../lib/course/reading.ts";
import { type Lab, step } from "../lib/course/lab.ts";
import { tr, verbatim } from "../lib/i18n.ts";
import { Rng } from "../lib/random.ts";
import { formatCount } from "../lib/term.ts";
import { exercises } from "./catalog/00_intro.ts";

/** The sentence of the attention example, and the weights "Il" gives each earlier word. */
const CONTEXT = ["Le", "chat", "de", "Marie", "est", "mignon"];
const WEIGHTS_OF_IL = [0.05, 0.80, 0.02, 0.10, 0.01, 0.02];

/** Our mini-GPT: the course's table (the `mini` preset) with a 5,000-token vocabulary. */
const MINI_GPT: GPTConfig = { vocabSize: 5000, ...PRESETS.mini };

const whatIsAnLlm = step({
  en: "What a large language model is",
  fr: "Qu'est-ce qu'un grand modèle de langage ?",
}, (ctx) => {
  ctx.say({
    en: `
    A large language model (LLM) is a neural network trained on an enormous amount of text to do
    one thing: given the beginning of a text, predict the next piece of it. Doing that well forces
    it to understand language, to generate coherent text, and to pick up tasks along the way:
    translation, summaries, code.

    Some well-known models (sizes are public figures or press estimates; several are not disclosed):
  `,
    fr: `
    Un grand modèle de langage (LLM, pour Large Language Model) est un réseau de neurones entraîné
    sur énormément de texte pour une seule tâche : à partir du début d'un texte, prédire la suite.
    Bien la prédire l'oblige à comprendre le langage, à générer un texte cohérent et à apprendre
    au passage bien d'autres tâches : traduction, résumé, code.

    Quelques modèles connus (tailles publiques ou estimées par la presse ; plusieurs ne sont pas
    divulguées) :
  `,
  });
  const undisclosed = { en: "not disclosed", fr: "non divulgué" };
  const estimate = { en: "~1.76T (estimate)", fr: "~1,76 T (estimation)" };
  ctx.table([
    [
      { en: "model", fr: "modèle" },
      { en: "company", fr: "entreprise" },
      { en: "parameters", fr: "paramètres" },
      { en: "released", fr: "sortie" },
    ],
    ["GPT-4", "OpenAI", estimate, "2023"],
    ["Claude 3", "Anthropic", undisclosed, "2024"],
    ["Gemini", "Google", undisclosed, "2023"],
    ["LLaMA 2", "Meta", { en: "7B to 70B", fr: "7 à 70 G" }, "2023"],
    ["Mistral 7B", "Mistral AI", { en: "7B", fr: "7 G" }, "2023"],
  ]);
  ctx.say({
    en: `
    The one we build in these labs has a few million parameters: small enough to train on two CPU
    cores in minutes, big enough to write recognisable Shakespeare.
  `,
    fr: `
    Celui que nous construisons dans ces labs a quelques millions de paramètres : assez petit
    pour s'entraîner en quelques minutes sur deux cœurs de CPU, assez grand pour écrire un
    Shakespeare reconnaissable.
  `,
  });
});

const history = step({
  en: "From RNNs to the Transformer",
  fr: "Des RNN au Transformer",
}, (ctx) => {
  ctx.table([
    [{ en: "year", fr: "année" }, { en: "milestone", fr: "étape marquante" }],
    [{ en: "1950s", fr: "années 1950" }, {
      en: "rule-based systems",
      fr: "systèmes à base de règles",
    }],
    ["1986", { en: "recurrent neural networks (RNN)", fr: "réseaux de neurones récurrents (RNN)" }],
    ["1997", { en: "LSTM (long short-term memory)", fr: "LSTM (Long Short-Term Memory)" }],
    ["2013", {
      en: "word2vec: words as vectors",
      fr: "word2vec : les mots deviennent des vecteurs",
    }],
    ["2017", {
      en: 'the Transformer: "Attention Is All You Need" (Vaswani et al.)',
      fr: "le Transformer : « Attention Is All You Need » (Vaswani et al.)",
    }],
    ["2018", { en: "GPT-1 and BERT", fr: "GPT-1 et BERT" }],
    ["2019", "GPT-2"],
    ["2020", {
      en: "GPT-3: abilities emerge with scale",
      fr: "GPT-3 : des capacités émergent avec la taille",
    }],
    ["2022", "ChatGPT"],
    ["2023", "GPT-4, LLaMA, Claude 2"],
    ["2024", {
      en: "Claude 3, Gemini, strong open models",
      fr: "Claude 3, Gemini, de bons modèles ouverts",
    }],
  ]);
  ctx.say({
    en: `
    Why the 2017 Transformer changed everything: an RNN reads a text one word after another, so
    training is sequential and the start of a long text fades from its memory. A Transformer
    looks at every position at once (parallel, fast on modern hardware) and any word can attend
    directly to any earlier word, however far back. It also trains more stably, which is what
    let models grow from millions to hundreds of billions of parameters.
  `,
    fr: `
    Pourquoi le Transformer de 2017 a tout changé : un RNN lit un texte mot après mot, si bien que
    l'entraînement est séquentiel et que le début d'un long texte s'efface de sa mémoire. Un
    Transformer regarde toutes les positions à la fois (en parallèle, donc vite sur le matériel
    moderne) et chaque mot peut porter son attention directement sur n'importe quel mot
    précédent, aussi loin soit-il. Son entraînement est aussi plus stable : c'est ce qui a permis
    aux modèles de passer de quelques millions à des centaines de milliards de paramètres.
  `,
  });
});

const pipeline = step({
  en: "The pipeline: text → tokens → vectors → blocks → probabilities → sampling",
  fr: "Le pipeline : texte → tokens → vecteurs → blocs → probabilités → échantillonnage",
}, (ctx) => {
  const text = "Le chat mange une";
  const bytes = [...new TextEncoder().encode(text)];
  ctx.say({
    en: `
    Every LLM runs the same pipeline. Here it is on the prompt "${text}", with real numbers from
    the simplest possible choices (UTF-8 bytes as tokens, a random embedding table):
  `,
    fr: `
    Tous les LLM suivent le même pipeline. Le voici sur le prompt « ${text} », avec de vrais
    nombres issus des choix les plus simples (les octets UTF-8 comme tokens, une table
    d'embeddings aléatoire) :
  `,
  });
  ctx.show({
    en: `
  text ──▶ 1. tokens ──▶ 2. vectors ──▶ 3. + positions ──▶ 4. transformer blocks
                                                                    │
  "souris" ◀── 6. sampling ◀── 5. probabilities over the vocabulary ◀┘
  `,
    fr: `
  texte ──▶ 1. tokens ──▶ 2. vecteurs ──▶ 3. + positions ──▶ 4. blocs transformer
                                                                     │
  « souris » ◀── 6. échantillonnage ◀── 5. probabilités sur le vocabulaire ◀┘
  `,
  });
  ctx.say({
    en: `1. Tokenization turns text into integers. As bytes, "${text}" is ${bytes.length} tokens:`,
    fr:
      `1. La tokenization change le texte en entiers. En octets, « ${text} » fait ${bytes.length} tokens :`,
  });
  ctx.show(`[${bytes.join(", ")}]`);
  const dim = 4;
  const table = new Rng(0).normalArray(256 * dim, 0.5);
  const vector = (id: number) =>
    [...table.subarray(id * dim, id * dim + dim)].map((x) => x.toFixed(2));
  ctx.say({
    en: `
    2. An embedding table turns each token id into a dense vector (here ${dim} numbers; ours
    will use 128 to 384, GPT-3 uses 12,288). "L" is byte ${bytes[0]}, so its vector is row
    ${bytes[0]} of the table: [${vector(bytes[0]).join(", ")}].

    3. Position information is added, so that "chat mange" and "mange chat" differ.
    4. A stack of transformer blocks lets every position gather information from earlier ones
    (attention) and transform it (a small neural network).
    5. A final layer scores every token of the vocabulary; softmax turns the scores into
    probabilities. 6. Sampling picks one token, appends it, and the loop starts again.
  `,
    fr: `
    2. Une table d'embeddings change chaque identifiant de token en un vecteur dense (ici ${dim}
    nombres ; le nôtre en aura de 128 à 384, GPT-3 en a 12 288). « L » est l'octet ${bytes[0]},
    son vecteur est donc la ligne ${bytes[0]} de la table : [${vector(bytes[0]).join(", ")}].

    3. On ajoute l'information de position, pour que « chat mange » et « mange chat » diffèrent.
    4. Une pile de blocs transformer permet à chaque position de recueillir l'information des
    positions précédentes (l'attention) et de la transformer (un petit réseau de neurones).
    5. Une dernière couche donne un score à chaque token du vocabulaire ; le softmax change ces
    scores en probabilités. 6. L'échantillonnage choisit un token, l'ajoute à la suite, et la
    boucle recommence.
  `,
  });
});

const attentionOfIl = step({
  en: "Attention in one example",
  fr: "L'attention en un exemple",
}, async (ctx) => {
  ctx.say({
    en: `
    Read: "Le chat de Marie est mignon. Il aime jouer." Who is "Il"? A person looks back and
    sees the cat. Attention does the same with numbers: the position of "Il" gives each earlier
    word a weight, the weights sum to 1, and "Il" takes in mostly what has high weight.
    These weights are illustrative (a trained model computes its own, lab 03 shows how):
  `,
    fr: `
    Lis : « Le chat de Marie est mignon. Il aime jouer. » Qui est « Il » ? Une personne regarde
    en arrière et voit le chat. L'attention fait la même chose avec des nombres : la position de
    « Il » donne un poids à chaque mot précédent, les poids font 1 au total, et « Il » retient
    surtout ce qui a un grand poids. Ces poids sont illustratifs (un modèle entraîné calcule les
    siens, le lab 03 montre comment) :
  `,
  });
  ctx.table([
    [{ en: "word", fr: "mot" }, { en: "weight", fr: "poids" }],
    ...CONTEXT.map((w, i) => [w, percents([WEIGHTS_OF_IL[i]])]),
  ]);
  await ctx.chart(
    "attention_il",
    barChart({
      title: tr({
        en: 'Attention of "Il" over its context',
        fr: "Attention de « Il » sur son contexte",
      }),
      data: CONTEXT.map((w, i) => ({
        word: w,
        weight: WEIGHTS_OF_IL[i],
        label: percents([WEIGHTS_OF_IL[i]]),
        focus: WEIGHTS_OF_IL[i] >= 0.5
          ? tr({ en: "most attended", fr: "le plus regardé" })
          : tr({ en: "other", fr: "autre" }),
      })),
      category: "word",
      value: "weight",
      categoryTitle: tr({ en: "context word", fr: "mot du contexte" }),
      valueTitle: tr({ en: "attention weight", fr: "poids d'attention" }),
      horizontal: true,
      format: ".0%",
      domain: [0, 1],
      label: "label",
      color: "focus",
    }),
  );
  ctx.say({
    en: `
    Nobody tells the model to look at "chat": it learns where to look because looking there
    helps it predict the next word.
  `,
    fr: `
    Personne ne dit au modèle de regarder « chat » : il apprend où regarder parce que regarder
    là l'aide à prédire le mot suivant.
  `,
  });
});

const threeFamilies = step({ en: "GPT, BERT and T5", fr: "GPT, BERT et T5" }, (ctx) => {
  ctx.table([
    [
      { en: "family", fr: "famille" },
      { en: "attention", fr: "attention" },
      { en: "trained to", fr: "entraîné à" },
      { en: "examples", fr: "exemples" },
      { en: "used for", fr: "usages" },
    ],
    [
      { en: "decoder-only", fr: "décodeur seul" },
      { en: "causal: sees the past only", fr: "causale : ne voit que le passé" },
      { en: "predict the next token", fr: "prédire le token suivant" },
      "GPT, LLaMA, Mistral",
      { en: "chat, generation", fr: "chat, génération" },
    ],
    [
      { en: "encoder-only", fr: "encodeur seul" },
      { en: "bidirectional: sees both sides", fr: "bidirectionnelle : voit des deux côtés" },
      { en: "fill in a [MASK]", fr: "deviner un [MASK]" },
      "BERT, RoBERTa",
      { en: "classification, search", fr: "classification, recherche" },
    ],
    [
      { en: "encoder-decoder", fr: "encodeur-décodeur" },
      { en: "both, with cross-attention", fr: "les deux, avec attention croisée" },
      { en: "map input text to output", fr: "transformer un texte en un autre" },
      "T5, BART",
      { en: "translation, summaries", fr: "traduction, résumé" },
    ],
  ]);
  const words = ["Le", "chat", "mange", "une"];
  const grid = (visible: (i: number, j: number) => boolean) =>
    words.map((w, i) =>
      `${w.padEnd(6)}${words.map((_, j) => (visible(i, j) ? " ●" : " ·")).join("")}`
    )
      .join("\n");
  ctx.say({
    en: "Which word can see which (● sees, · hidden), rows looking at columns:",
    fr: "Quel mot voit quel mot (● voit, · caché), chaque ligne regardant les colonnes :",
  });
  ctx.show(
    tr({
      en: `GPT (causal)         BERT (bidirectional)\n`,
      fr: `GPT (causal)         BERT (bidirectionnel)\n`,
    }) +
      grid((i, j) => j <= i).split("\n").map((l, r) =>
        `${l}          ${grid(() => true).split("\n")[r]}`
      )
        .join("\n"),
  );
  ctx.say({
    en: `
    GPT reads "Le chat mange" and continues "une souris". BERT reads "Le [MASK] mange une
    souris" and fills in "chat". T5 reads "traduire en anglais : Le chat mange" and writes
    "The cat eats". We build a GPT: one kind of block, an objective anyone can follow (guess the
    next token), and at the end a model you can talk to.
  `,
    fr: `
    GPT lit « Le chat mange » et continue par « une souris ». BERT lit « Le [MASK] mange une
    souris » et complète par « chat ». T5 lit « traduire en anglais : Le chat mange » et écrit
    « The cat eats ». Nous construisons un GPT : une seule sorte de bloc, un objectif que tout le
    monde comprend (deviner le token suivant) et, à la fin, un modèle avec qui discuter.
  `,
  });
});

const scale = step({
  en: "Our mini-GPT next to GPT-2, GPT-3 and GPT-4",
  fr: "Notre mini-GPT face à GPT-2, GPT-3 et GPT-4",
}, async (ctx) => {
  const ours = countParameters(MINI_GPT);
  const gpt2 = countParameters(GPT2_SMALL);
  const gpt3: GPTConfig = {
    vocabSize: 50257,
    blockSize: 2048,
    nLayer: 96,
    nHead: 96,
    nEmbd: 12288,
  };
  const undisclosed = { en: "not disclosed", fr: "non divulgué" };
  const ourGpt = { en: "our mini-GPT", fr: "notre mini-GPT" };
  ctx.table([
    ["", ourGpt, verbatim("GPT-2 small"), "GPT-3", "GPT-4"],
    [
      { en: "vocabulary", fr: "vocabulaire" },
      formatCount(5000),
      formatCount(50257),
      formatCount(50257),
      "~100k",
    ],
    [
      { en: "embedding width", fr: "taille des embeddings" },
      PRESETS.mini.nEmbd,
      768,
      formatCount(12288),
      undisclosed,
    ],
    [{ en: "layers", fr: "couches" }, PRESETS.mini.nLayer, 12, 96, undisclosed],
    [{ en: "attention heads", fr: "têtes d'attention" }, PRESETS.mini.nHead, 12, 96, undisclosed],
    [
      { en: "context (tokens)", fr: "contexte (tokens)" },
      PRESETS.mini.blockSize,
      formatCount(1024),
      formatCount(2048),
      { en: "8k to 128k", fr: "8k à 128k" },
    ],
    [
      { en: "parameters", fr: "paramètres" },
      formatCount(ours),
      formatCount(gpt2),
      formatCount(countParameters(gpt3)),
      { en: "~1.76T (estimate)", fr: "~1,76 T (estimation)" },
    ],
    [
      { en: "training text", fr: "texte d'entraînement" },
      { en: "1 MB", fr: "1 Mo" },
      { en: "40 GB", fr: "40 Go" },
      { en: "~570 GB filtered", fr: "~570 Go filtrés" },
      undisclosed,
    ],
  ]);
  const gpt3Count = formatCount(countParameters(gpt3), true);
  const times = formatCount(Math.round(countParameters(gpt3) / ours));
  ctx.say({
    en: `
    The parameter counts of our model, GPT-2 small and GPT-3 above are computed by one formula
    from their shapes (exercise 00.2 asks you to write it): it gives GPT-2 small's real count,
    ${formatCount(gpt2)}, and ${gpt3Count} for GPT-3's published shape (OpenAI rounds to 175B).
    Our mini-GPT is ${times} times smaller than GPT-3. The scale needs a log axis to fit on one
    chart:
  `,
    fr: `
    Les nombres de paramètres de notre modèle, de GPT-2 small et de GPT-3 ci-dessus sont
    calculés par une seule formule à partir de leurs dimensions (l'exercice 00.2 te demande de
    l'écrire) : elle redonne le vrai total de GPT-2 small, ${formatCount(gpt2)}, et ${gpt3Count}
    pour les dimensions publiées de GPT-3 (OpenAI arrondit à 175 milliards). Notre mini-GPT est
    ${times} fois plus petit que GPT-3. Pour tenir sur un seul graphique, l'échelle doit être
    logarithmique :
  `,
  });
  const models = [
    { model: tr(ourGpt), params: ours },
    { model: "GPT-2 small", params: gpt2 },
    { model: "GPT-2 XL", params: 1.5e9 },
    { model: "GPT-3", params: 175e9 },
    { model: tr({ en: "GPT-4 (estimate)", fr: "GPT-4 (estimation)" }), params: 1.76e12 },
  ];
  await ctx.chart(
    "parameter_scale",
    barChart({
      title: tr({ en: "Model size (log scale)", fr: "Taille des modèles (échelle log)" }),
      data: models.map((m) => ({ ...m, label: formatCount(m.params, true) })),
      category: "model",
      value: "params",
      categoryTitle: tr({ en: "model", fr: "modèle" }),
      valueTitle: tr({ en: "parameters", fr: "paramètres" }),
      log: true,
      format: ".2s",
      label: "label",
      color: "model",
    }),
  );
  ctx.say({
    en: `
    What our model will do: write text in the style of its training data, complete sentences,
    follow simple patterns, and show attention at work. What it will not: rival ChatGPT, reason,
    follow varied instructions or know much of the world. The goal is understanding.
  `,
    fr: `
    Ce que notre modèle saura faire : écrire dans le style de ses données d'entraînement,
    compléter des phrases, suivre des motifs simples et montrer l'attention à l'œuvre. Ce qu'il
    ne saura pas faire : rivaliser avec ChatGPT, raisonner, suivre des instructions variées ou
    savoir grand-chose du monde. Le but, c'est de comprendre.
  `,
  });
});

const generation = step({
  en: "How GPT writes: one token at a time",
  fr: "Comment GPT écrit : un token à la fois",
}, (ctx) => {
  ctx.say({
    en: `
    GPT writes one token at a time. Each step feeds everything so far back into the model, reads
    the probabilities of the next token, picks one and appends it:
  `,
    fr: `
    GPT écrit un token à la fois. À chaque pas, il redonne au modèle tout ce qui est déjà écrit,
    lit les probabilités du token suivant, en choisit un et l'ajoute :
  `,
  });
  ctx.show({
    en: `
  tokens = tokenize(prompt)
  repeat 50 times:
      logits = model(tokens)               # a score for every token of the vocabulary
      probs  = softmax(logits[last])       # scores → probabilities
      next   = sample(probs, temperature)  # pick one
      tokens.push(next)
  `,
    fr: `
  tokens = tokenize(prompt)
  50 fois :
      logits = model(tokens)               # un score pour chaque token du vocabulaire
      probs  = softmax(logits[last])       # scores → probabilités
      next   = sample(probs, temperature)  # en tirer un
      tokens.push(next)
  `,
  });
  ctx.table([
    [
      { en: "step", fr: "pas" },
      { en: "context", fr: "contexte" },
      { en: "most likely next tokens", fr: "tokens suivants les plus probables" },
      { en: "chosen", fr: "choisi" },
    ],
    [1, "Il était une fois", "un 35%, une 25%, le 15%", "un"],
    [2, "Il était une fois un", "roi 40%, prince 20%, dragon 10%", "roi"],
    [3, "Il était une fois un roi", "qui 50%, « , » 20%, nommé 15%", "qui"],
  ]);
  ctx.say({
    en: "(Illustrative probabilities; lab 10 samples from a model you trained.)",
    fr: "(Probabilités illustratives ; le lab 10 échantillonne un modèle que tu as entraîné.)",
  });
});

const whyFromScratch = step({
  en: "Why build it from scratch",
  fr: "Pourquoi le construire de zéro",
}, (ctx) => {
  ctx.say({
    en: `
    Two lines of a library load GPT-2. Building one from scratch is how you understand it well
    enough to debug it, improve it and explain it: "if you cannot build it, you do not really
    understand it". Every piece here is written out in TypeScript you can read, with its forward
    and backward pass, and the fast version of each hot loop (WebAssembly SIMD) sits beside a plain
    one that it is tested against. The road ahead:
  `,
    fr: `
    Deux lignes d'une bibliothèque suffisent à charger GPT-2. Le construire de zéro, c'est le
    comprendre assez pour le déboguer, l'améliorer et l'expliquer : « ce qu'on ne sait pas
    construire, on ne le comprend pas vraiment ». Chaque pièce est écrite ici en TypeScript
    lisible, avec sa passe avant et sa passe arrière, et la version rapide de chaque boucle
    critique (WebAssembly SIMD) est rangée à côté d'une version simple qui sert à la tester.
    La route à suivre :
  `,
  });
  ctx.table([
    [verbatim("lab"), { en: "what you build", fr: "ce que tu construis" }],
    ["01", {
      en: "tokenization: text → numbers (byte-pair encoding)",
      fr: "la tokenization : texte → nombres (byte-pair encoding)",
    }],
    ["02", {
      en: "embeddings: numbers → vectors that mean something",
      fr: "les embeddings : nombres → vecteurs porteurs de sens",
    }],
    ["03", { en: "attention: queries, keys, values", fr: "l'attention : requêtes, clés, valeurs" }],
    ["04", { en: "multi-head attention", fr: "l'attention multi-têtes" }],
    ["05", { en: "positional encodings", fr: "les encodages de position" }],
    ["06", { en: "the transformer block", fr: "le bloc transformer" }],
    ["07", { en: "the complete GPT", fr: "le GPT complet" }],
    ["08", { en: "the dataset", fr: "le jeu de données" }],
    ["09", { en: "training", fr: "l'entraînement" }],
    ["10", { en: "generation", fr: "la génération" }],
    ["11", { en: "fine-tuning", fr: "le fine-tuning" }],
    ["12", { en: "a mini-ChatGPT", fr: "un mini-ChatGPT" }],
  ]);
});

const environment = step({ en: "Your environment", fr: "Ton environnement" }, async (ctx) => {
  const checks = await runDoctor();
  ctx.table([
    [{ en: "check", fr: "vérification" }, "", { en: "result", fr: "résultat" }],
    ...checks.map((c) => [c.name, c.ok ? "OK" : "!!", c.detail]),
  ]);
  if (checks.some((c) => !c.ok)) {
    ctx.say({
      en: "Lines marked !! say what to do; labs 00–07 need no corpus.",
      fr:
        "Les lignes marquées !! disent quoi faire ; les labs 00 à 07 n'ont besoin d'aucun corpus.",
    });
  }
});

function percents(weights: number[]): string {
  return weights.map((w) => `${Math.round(w * 100)}%`).join(", ");
}

const yourSoftmax = step({
  en: "Exercise 00.1: softmax",
  fr: "Exercice 00.1 : le softmax",
}, async (ctx) => {
  ctx.say({
    en: `
    Your turn. Attention weights and next-token probabilities both come from softmax, which
    turns any list of scores into positive numbers that sum to 1. Write it in
    labs/exercises/00_intro.ts; the lab checks it against the library's own on several inputs.
  `,
    fr: `
    À toi. Les poids d'attention comme les probabilités du token suivant viennent du softmax, qui
    change n'importe quelle liste de scores en nombres positifs de somme 1. Écris-le dans
    labs/exercises/00_intro.ts ; le lab le compare à celui de la bibliothèque sur plusieurs
    entrées.
  `,
  });
  const softmax = await ctx.exercise<(scores: number[]) => number[]>("00.1");
  const scores = WEIGHTS_OF_IL.map(Math.log);
  const weights = softmax(scores);
  const flat = percents(softmax(scores.map((s) => s / 2)));
  const sharp = percents(softmax(scores.map((s) => s * 2)));
  ctx.say({
    en: `
    With your softmax, the scores log(weight) for each word of "${CONTEXT.join(" ")}" give back
    the weights: ${percents(weights)}. Halving every score flattens them, ${flat}; doubling
    sharpens them, ${sharp} (lab 03 calls this the temperature).
  `,
    fr: `
    Avec ton softmax, les scores log(poids) de chaque mot de « ${CONTEXT.join(" ")} » redonnent
    les poids : ${percents(weights)}. Diviser chaque score par deux les aplatit, ${flat} ; les
    doubler les accentue, ${sharp} (le lab 03 appelle cela la température).
  `,
  });
});

const yourParameterCount = step({
  en: "Exercise 00.2: counting parameters",
  fr: "Exercice 00.2 : compter les paramètres",
}, async (ctx) => {
  ctx.say({
    en: `
    Second exercise: count the parameters of a GPT from its shape. Every later lab builds the
    pieces you count here.
  `,
    fr: `
    Deuxième exercice : compter les paramètres d'un GPT à partir de ses dimensions. Les labs
    suivants construisent, un par un, les morceaux que tu comptes ici.
  `,
  });
  const count = await ctx.exercise<(config: GPTConfig) => number>("00.2");
  ctx.table([
    [
      { en: "preset", fr: "préréglage" },
      { en: "layers", fr: "couches" },
      { en: "width", fr: "largeur" },
      { en: "parameters (65 characters)", fr: "paramètres (65 caractères)" },
      { en: "parameters (5,000 BPE tokens)", fr: "paramètres (5 000 tokens BPE)" },
    ],
    ...Object.entries(PRESETS).map(([name, p]) => [
      name,
      p.nLayer,
      p.nEmbd,
      formatCount(count({ vocabSize: 65, ...p })),
      formatCount(count({ vocabSize: 5000, ...p })),
    ]),
  ]);
  ctx.say({
    en: "Lab 01 is next: `deno task lab 01`, turning text into tokens.",
    fr: "Prochaine étape, le lab 01 : `deno task lab 01`, pour changer le texte en tokens.",
  });
});

const furtherReading = step({ en: "Further reading", fr: "Pour aller plus loin" }, (ctx) => {
  const [paper] = READING_LIST;
  ctx.say({
    en: `
    The course follows a handful of papers and tutorials. Read "${paper.title}" (${paper.year})
    first, or beside lab 03; the others as the labs reach them. Each lab says which idea it
    takes from where.
  `,
    fr: `
    Le cours s'appuie sur une poignée d'articles et de tutoriels. Lis « ${paper.title} »
    (${paper.year}) en premier, ou en même temps que le lab 03 ; les autres au fil des labs qui
    y arrivent. Chaque lab dit quelle idée il emprunte, et à qui.
  `,
  });
  ctx.table(readingRows());
});

/** Lab 00, as the runner sees it. */
export const lab: Lab = {
  id: "00",
  slug: "00_intro",
  title: { en: "Introduction: what an LLM is", fr: "Introduction : qu'est-ce qu'un LLM ?" },
  exercises,
  steps: [
    whatIsAnLlm,
    history,
    pipeline,
    attentionOfIl,
    threeFamilies,
    scale,
    generation,
    whyFromScratch,
    environment,
    yourSoftmax,
    yourParameterCount,
    furtherReading,
  ],
};
