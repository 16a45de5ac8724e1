/**
 * Lab 12 · A mini-ChatGPT: the chat template and its special tokens, conversations the project
 * writes itself (with a held-out split), supervised fine-tuning with the loss masked to the
 * assistant's tokens, evaluation by exact match per task family, the chat commands, and a closing
 * step: what separates it from GPT-2/3/4, where to go next, the reading list.
 *
 * Runs the `quick` SFT preset (within a minute), and reuses that run while its inputs stay the
 * same; `deno task sft --preset full` is the run that aims at the course's targets. The lab's
 * model starts from scratch: its conversations are its whole world, which is what lets a model this small learn them.
 * @module
 */
import { barChart, lossCurves } from "../lib/charts.ts";
import { chatAlphabet, FAMILIES, generateConversations } from "../lib/chat/data.ts";
import { type ChatEvaluation, evaluateChat, reply } from "../lib/chat/eval.ts";
import { SFT_PRESETS, type SftPreset } from "../lib/chat/presets.ts";
import { type ChatData, prepareChatData } from "../lib/chat/run_sft.ts";
import { sft, type SftResult } from "../lib/chat/sft.ts";
import { loadChatModel } from "../lib/chat/terminal.ts";
import {
  assistantTargetMask,
  ChatTokenizer,
  encodeConversation,
  type SpecialIds,
  type Turn,
} from "../lib/chat/template.ts";
import { GPT } from "../lib/model/gpt.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { type Lab, relative, step, type StepContext } from "../lib/course/lab.ts";
import { loadRun, runKey, saveRun } from "../lib/course/run_cache.ts";
import { readingRows } from "../lib/course/reading.ts";
import { lang, tr, verbatim } from "../lib/i18n.ts";
import { LABS } from "./mod.ts";
import { exercises } from "./catalog/12_chatgpt.ts";
import { formatCount, shellCommand } from "../lib/term.ts";

/** Two exchanges, in the run's language: the model speaks both. */
function example(): Turn[] {
  const [sum, reverse] = lang() === "fr"
    ? ["combien font 23 + 45 ?", "écris gpt à l'envers."]
    : ["what is 23+45?", "reverse gpt."];
  return [
    { role: "user", text: sum },
    { role: "assistant", text: "68" },
    { role: "user", text: reverse },
    { role: "assistant", text: "tpg" },
  ];
}

/** What the steps hand on to the later ones. */
interface State {
  data?: ChatData;
  model?: GPT;
  result?: SftResult;
  evaluation?: ChatEvaluation;
}

/** A step of this lab: it reads and fills the run's state, with the SFT preset the run uses. */
const chatStep = step<[State, SftPreset]>;

/** The chat tokenizer: the characters of the generated conversations and three special tokens. */
const tok = new ChatTokenizer([...chatAlphabet()]);

const fromTextToAssistant = chatStep({
  en: "From a text model to an assistant",
  fr: "D'un modèle de texte à un assistant",
}, (ctx) => {
  ctx.say({
    en: `
    The GPT of the earlier labs continues text. Ask it "what is 23+45?" and it writes whatever
    tends to follow such a line in its corpus: maybe another question, maybe Shakespeare. An
    assistant does something else: it answers, then stops and waits for you.

    ChatGPT got there in two moves on top of pretraining. Supervised fine-tuning (SFT) shows the
    model thousands of conversations written the way an assistant should answer; a chat template
    marks who speaks, so the model can tell the question from the answer and knows when its turn
    is over. (A third move, learning from human preferences, polishes the style; we leave it out.)
    This lab does SFT on a model of about a hundred thousand parameters, then lets you talk to it.
  `,
    fr: `
    Le GPT des labs précédents continue un texte. Demande-lui « combien font 23 + 45 ? » et il
    écrit ce qui suit d'habitude une telle ligne dans son corpus : peut-être une autre question,
    peut-être du Shakespeare. Un assistant fait autre chose : il répond, puis s'arrête et attend.

    ChatGPT y est arrivé en deux temps après le pré-entraînement. Le fine-tuning supervisé (SFT)
    montre au modèle des milliers de conversations écrites comme un assistant devrait répondre ;
    un modèle de conversation (chat template) marque qui parle, pour que le modèle distingue la
    question de la réponse et sache quand son tour est fini. (Un troisième temps, l'apprentissage
    par préférences humaines, peaufine le style ; nous le laissons de côté.) Ce lab fait le SFT
    d'un modèle d'environ cent mille paramètres, puis te laisse discuter avec lui.
  `,
  });
});

const template = chatStep({
  en: "The chat template and its special tokens",
  fr: "Le modèle de conversation et ses tokens spéciaux",
}, (ctx) => {
  ctx.say({
    en: `
    The template wraps each turn in special tokens: <|user|> or <|assistant|> opens it, <|end|>
    closes it. Two turns each way look like this:
  `,
    fr: `
    Le modèle de conversation entoure chaque tour de tokens spéciaux : <|user|> ou <|assistant|>
    l'ouvre, <|end|> le ferme. Deux tours de chaque côté donnent ceci :
  `,
  });
  const ids = encodeConversation(tok, example());
  ctx.show(tok.decode(ids));
  ctx.say({
    en: `
    Our tokenizer is character-level (${tok.chars.length} characters) plus three special tokens
    with ids ${tok.special.user}, ${tok.special.assistant} and ${tok.special.end}. Each special
    token is one id, not the characters "<", "|", "e", …: typing "<|end|>" in a message gives
    those seven characters, so a user cannot close the assistant's turn for it. The ids:
  `,
    fr: `
    Notre tokenizer travaille au niveau des caractères (${tok.chars.length} caractères), plus
    trois tokens spéciaux d'identifiants ${tok.special.user}, ${tok.special.assistant} et
    ${tok.special.end}. Chaque token spécial est un seul identifiant, pas les caractères « < »,
    « | », « e », … : taper « <|end|> » dans un message donne ces sept caractères, et
    l'utilisateur ne peut donc pas fermer le tour de l'assistant à sa place. Les identifiants :
  `,
  });
  ctx.show(ids.join(" "));
  ctx.say({
    en: `
    To answer, the model is given the conversation so far followed by <|assistant|>, and writes
    token by token until it writes <|end|>. That token is the whole difference between an
    assistant that stops and a text generator that rambles on.
  `,
    fr: `
    Pour répondre, le modèle reçoit la conversation jusque-là suivie de <|assistant|>, et écrit
    token après token jusqu'à écrire <|end|>. Ce token fait toute la différence entre un
    assistant qui s'arrête et un générateur de texte qui divague sans fin.
  `,
  });
});

const yourTemplate = chatStep({
  en: "Exercise 12.1: a conversation in the template",
  fr: "Exercice 12.1 : une conversation mise en forme",
}, async (ctx) => {
  ctx.say({
    en: `
    Your turn: write formatConversation in labs/exercises/12_chatgpt.ts, the template as text.
  `,
    fr: `
    À toi : écris formatConversation dans labs/exercises/12_chatgpt.ts, le modèle de
    conversation sous forme de texte.
  `,
  });
  const format = await ctx.exercise<(turns: Turn[]) => string>("12.1");
  ctx.show(format(example().slice(0, 2)));
});

const conversations = chatStep({
  en: "Conversations the project writes, and a held-out split",
  fr: "Des conversations écrites par le projet, et une partie mise de côté",
}, (ctx, state, preset) => {
  ctx.say({
    en: `
    Where do the conversations come from? The project writes them, in five task families a
    small model can truly learn, each with one right answer so that we can score it exactly, in
    English and in French:
  `,
    fr: `
    D'où viennent les conversations ? Le projet les écrit lui-même, en cinq familles de tâches
    qu'un petit modèle peut vraiment apprendre, chacune avec une seule bonne réponse pour qu'on
    puisse la noter exactement, en anglais et en français :
  `,
  });
  const samples = generateConversations({ count: 200, split: "train", seed: 5, maxExchanges: 1 });
  ctx.table([
    [
      { en: "family", fr: "famille" },
      { en: "user", fr: "utilisateur" },
      verbatim("assistant"),
    ],
    ...FAMILIES.flatMap((f) =>
      (["en", "fr"] as const).map((l) => {
        const e = samples.flat().find((x) => x.family === f && x.lang === l)!;
        return [f, e.question, e.answer];
      })
    ),
  ]);
  const data = prepareChatData(preset, preset.settings.seed);
  state.data = data;
  const multi = data.heldOut.filter((c) => c.length > 1).length;
  const [train, dropped, heldOut] = [data.train, { length: data.dropped }, data.heldOut]
    .map((x) => formatCount(x.length));
  const T = preset.model.blockSize;
  ctx.say({
    en: `
    The held-out split is what makes the scores honest. One sum in ten (by a hash of its two
    numbers) and one made-up word in ten never appear in training; held-out questions about the
    course's concepts use a phrasing ("explain …") training never uses. So a right answer on the
    held-out split cannot be recalled: it has to be worked out. About a third of the
    conversations go on for several exchanges, so the model also learns to read a history.

    This run: ${train} training conversations (${dropped} longer than the context of ${T} tokens
    left out) and ${heldOut} held-out ones, ${multi} of them multi-turn.
  `,
    fr: `
    C'est la partie mise de côté (held-out) qui rend les notes honnêtes. Une somme sur dix
    (d'après un hachage de ses deux nombres) et un mot inventé sur dix n'apparaissent jamais à
    l'entraînement ; les questions mises de côté sur les notions du cours emploient une
    formulation (« explique … ») que l'entraînement n'utilise jamais. Une bonne réponse sur cette
    partie ne peut donc pas être récitée : il faut la trouver. Environ un tiers des conversations
    se poursuivent sur plusieurs échanges : le modèle apprend aussi à lire un historique.

    Cette exécution : ${train} conversations d'entraînement (${dropped} plus longues que le
    contexte de ${T} tokens laissées de côté) et ${heldOut} mises de côté, dont ${multi} à
    plusieurs tours.
  `,
  });
});

const maskedLoss = chatStep({
  en: "Masking the loss to the assistant's tokens",
  fr: "Restreindre la perte aux tokens de l'assistant",
}, (ctx) => {
  ctx.say({
    en: `
    Pretraining learns every next token. In SFT we only want the model to learn to write the
    assistant's part: the user's words are given, not something to imitate, and the <|user|> and
    <|assistant|> tokens are placed by the template. So every target gets a weight: 1 for a
    character of a reply and for the <|end|> closing it, 0 for the rest. The loss is the weighted
    mean, Σ wᵢ·lossᵢ / Σ wᵢ, and a target of weight 0 sends no gradient back at all. Below, the
    targets the model learns are marked ^:
  `,
    fr: `
    Le pré-entraînement apprend chaque token suivant. En SFT, on veut seulement que le modèle
    apprenne à écrire la part de l'assistant : les mots de l'utilisateur sont donnés, pas à
    imiter, et les tokens <|user|> et <|assistant|> sont placés par le modèle de conversation.
    Chaque cible reçoit donc un poids : 1 pour un caractère d'une réponse et pour le <|end|> qui
    la ferme, 0 pour le reste. La perte est la moyenne pondérée, Σ wᵢ·lossᵢ / Σ wᵢ, et une cible
    de poids 0 ne renvoie aucun gradient. Ci-dessous, les cibles que le modèle apprend sont
    marquées ^ :
  `,
  });
  const ids = encodeConversation(tok, example());
  const targets = ids.slice(1).map((id) => tok.decode([id]));
  const weights = assistantTargetMask(ids, tok.special);
  ctx.show(
    targets.map((t) => t).join(" ") + "\n" +
      targets.map((t, i) => (weights[i] ? "^" : " ").padEnd(t.length)).join(" "),
  );
  ctx.say({
    en: `
    Padding uses the same mechanism: conversations of different lengths share a batch, the short
    ones are padded, and padded positions get weight 0. lib/model/gpt.ts takes these weights as an
    optional fifth argument of forward.
  `,
    fr: `
    Le remplissage (padding) suit le même mécanisme : des conversations de longueurs différentes
    partagent un batch, les courtes sont complétées, et les positions de remplissage reçoivent le
    poids 0. lib/model/gpt.ts prend ces poids en cinquième argument, facultatif, de forward.
  `,
  });
});

const yourMask = chatStep({
  en: "Exercise 12.2: the loss mask",
  fr: "Exercice 12.2 : le masque de la perte",
}, async (ctx) => {
  ctx.say({
    en: `
    Your turn: write assistantTargetMask in labs/exercises/12_chatgpt.ts, the weights of every
    target of a tokenized conversation.
  `,
    fr: `
    À toi : écris assistantTargetMask dans labs/exercises/12_chatgpt.ts, les poids de chaque
    cible d'une conversation tokenisée.
  `,
  });
  const mask = await ctx.exercise<(ids: number[], s: SpecialIds) => number[]>("12.2");
  const ids = encodeConversation(tok, example().slice(0, 2));
  ctx.say({
    en: `Your mask of "${tok.decode(ids)}":`,
    fr: `Ton masque de « ${tok.decode(ids)} » :`,
  });
  ctx.show(`[${mask(ids, tok.special).join(", ")}]`);
});

const fineTune = chatStep({
  en: "Supervised fine-tuning",
  fr: "Le fine-tuning supervisé",
}, async (ctx, state, preset) => {
  const data = state.data ??= prepareChatData(preset, preset.settings.seed);
  const model = new GPT(
    { ...preset.model, vocabSize: data.tok.vocabSize },
    preset.settings.seed,
    await loadBackend(),
  );
  const s = preset.settings;
  const params = formatCount(model.numParameters);
  const { nLayer, nEmbd } = preset.model;
  ctx.say({
    en: `
    Supervised fine-tuning, quick preset: a GPT of ${params} parameters (${nLayer} layers, width
    ${nEmbd}), ${
      formatCount(s.steps)
    } steps of ${s.batchSize} conversations, AdamW with warmup and cosine
    decay from ${s.maxLr}. Batches take neighbours in length order, so that little is lost to
    padding. Positions are rotary (RoPE, lab 05): a sum's digits sit at different places in
    "what is 23+45?" and "add 23 and 45.", but at the same distances from the answer, and RoPE
    encodes distances. It runs on the SIMD kernels; the held-out loss is measured every
    ${s.evalEvery} steps.
  `,
    fr: `
    Fine-tuning supervisé, préréglage quick : un GPT de ${params} paramètres (${nLayer} couches,
    largeur ${nEmbd}), ${
      formatCount(s.steps)
    } pas de ${s.batchSize} conversations, AdamW avec montée
    progressive puis décroissance en cosinus depuis ${s.maxLr}. Les batchs prennent des voisines
    dans l'ordre des longueurs, pour perdre peu au remplissage. Les positions sont rotatives
    (RoPE, lab 05) : les chiffres d'une somme sont à des places différentes dans « combien font
    23 + 45 ? » et « additionne 23 et 45. », mais aux mêmes distances de la réponse, et RoPE
    encode des distances. L'entraînement tourne sur les noyaux SIMD ; la perte sur la partie
    mise de côté est mesurée tous les ${s.evalEvery} pas.
  `,
  });
  const { result, reused } = await trainOrReuse(ctx, model, data, preset);
  state.model = reused ?? model;
  state.result = result;
  await ctx.chart(
    "sft_loss",
    lossCurves({
      title: {
        en: "SFT loss on the assistant's tokens",
        fr: "Perte du SFT sur les tokens de l'assistant",
      },
      curves: [
        [
          { en: "training batch", fr: "batch d'entraînement" },
          result.losses.map((loss, step) => ({ step, loss })),
        ],
        [{ en: "held out", fr: "mis de côté" }, result.heldOut],
      ],
      lossTitle: { en: "masked cross-entropy", fr: "entropie croisée masquée" },
      curveTitle: { en: "split", fr: "partie" },
    }),
  );
  const first = result.heldOut[0].loss, last = result.heldOut.at(-1)!.loss;
  ctx.say({
    en: `
    The training curve jumps from batch to batch because each batch holds conversations of one
    length, which often means one family: a batch of sums is easier than a batch of concepts.
    The held-out loss, always on the same conversations, is the curve to read.
  `,
    fr: `
    La courbe d'entraînement saute d'un batch à l'autre parce que chaque batch contient des
    conversations d'une même longueur, souvent d'une même famille : un batch de sommes est plus
    facile qu'un batch de notions. La perte sur la partie mise de côté, toujours sur les mêmes
    conversations, est la courbe à lire.
  `,
  });
  const [secs, speed] = [Math.round(result.seconds), formatCount(Math.round(result.tokPerSec))];
  const steps = formatCount(result.steps), checkpoint = relative(`${ctx.outDir}/sft/latest`);
  const [V, lnV] = [data.tok.vocabSize, Math.log(data.tok.vocabSize).toFixed(2)];
  ctx.say({
    en: `
    ${steps} steps in ${secs} s (${speed} tokens/s${
      reused ? ", when it was trained" : ""
    }). The held-out loss went from
    ${first.toFixed(2)} (about ln ${V} = ${lnV}, a uniform guess) to ${last.toFixed(2)} per
    assistant token. The checkpoint is in ${checkpoint}.
  `,
    fr: `
    ${steps} pas en ${secs} s (${speed} tokens/s${
      reused ? ", lors de son entraînement" : ""
    }). La perte sur la partie mise de côté est
    passée de ${first.toFixed(2)} (environ ln ${V} = ${lnV}, un choix uniforme) à
    ${last.toFixed(2)} par token de l'assistant. Le checkpoint est dans ${checkpoint}.
  `,
  });
});

/**
 * SFT of `model` on the preset's data, or the run saved in `<outDir>/sft` when its inputs (the
 * preset, the encoded conversations, the library's code) are the same: then `reused` is its
 * model. A student fixing exercise 12.2 reruns the lab without training again each time.
 */
async function trainOrReuse(ctx: StepContext, model: GPT, data: ChatData, preset: SftPreset) {
  const dir = `${ctx.outDir}/sft`, runFile = `${dir}/run.json`;
  const examples = [...data.train, ...data.heldOutExamples].flatMap((e) => [e.ids, e.weights]);
  const key = await runKey([preset, data.tok.chars, ...examples]);
  const saved = await loadRun<SftResult>(runFile, key);
  if (saved) {
    try {
      const reused = (await loadChatModel(dir)).model;
      ctx.say({
        en: `
        The preset, the ${formatCount(data.train.length)} conversations, the seed and the
        library's code are those of the run saved in ${relative(dir)}, so the lab reuses its
        checkpoint instead of training again (delete that folder to train anew).
      `,
        fr: `
        Le préréglage, les ${formatCount(data.train.length)} conversations, la graine et le code
        de la bibliothèque sont ceux de l'entraînement enregistré dans ${relative(dir)} : le lab
        reprend donc son checkpoint au lieu de réentraîner (supprime ce dossier pour repartir de
        zéro).
      `,
      });
      return { result: saved, reused };
    } catch {
      // The checkpoint does not load: train again below.
    }
  }
  // Until this run is saved, no key may vouch for the checkpoint it is about to replace.
  await Deno.remove(runFile).catch(() => {});
  const result = await sft({
    model,
    tokenizer: data.tok,
    train: data.train,
    heldOut: data.heldOutExamples,
    settings: preset.settings,
    outDir: dir,
  });
  await saveRun(runFile, key, result);
  return { result, reused: undefined };
}

/** The fine-tuned model: this run's, or (a run started with --from) the one it saved. */
async function fineTuned(ctx: StepContext, state: State, preset: SftPreset) {
  state.data ??= prepareChatData(preset, preset.settings.seed);
  state.model ??= (await loadChatModel(`${ctx.outDir}/sft`)).model;
  return { model: state.model, data: state.data };
}

const evaluate = chatStep({
  en: "Evaluation: exact match per family, and ending the turn",
  fr: "Évaluation : réponse exacte par famille, et fin du tour",
}, async (ctx, state, preset) => {
  const { model, data } = await fineTuned(ctx, state, preset);
  ctx.say({
    en: `
    A lower loss is not yet a right answer. The evaluation asks every held-out question (after
    the true earlier turns of its conversation), decodes greedily until <|end|>, and counts a
    reply as right only when it is exactly the expected answer.
  `,
    fr: `
    Une perte plus basse n'est pas encore une bonne réponse. L'évaluation pose chaque question
    mise de côté (après les vrais tours précédents de sa conversation), décode de façon gloutonne
    jusqu'à <|end|>, et ne compte une réponse juste que si elle est exactement la réponse
    attendue.
  `,
  });
  const evaluation = evaluateChat(model, data.tok, data.heldOut);
  state.evaluation = evaluation;
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  const inLang = (family: string, l: string) => {
    const f = evaluation.byLanguage.find((x) => x.family === family && x.lang === l);
    return f ? `${f.correct}/${f.total} ${pct(f.accuracy)}` : "-";
  };
  ctx.table([
    [
      { en: "family", fr: "famille" },
      { en: "right", fr: "justes" },
      { en: "exact match", fr: "réponse exacte" },
      { en: "in English", fr: "en anglais" },
      { en: "in French", fr: "en français" },
    ],
    ...evaluation.families.map((f) => [
      f.family,
      `${f.correct}/${f.total}`,
      pct(f.accuracy),
      inLang(f.family, "en"),
      inLang(f.family, "fr"),
    ]),
    [
      { en: "(replies ending their turn)", fr: "(réponses qui ferment leur tour)" },
      `${evaluation.ended}/${evaluation.replies}`,
      pct(evaluation.endedShare),
      "",
      "",
    ],
  ]);
  await ctx.chart(
    "accuracy_per_family",
    barChart({
      title: tr({
        en: "Held-out exact match per task family",
        fr: "Réponses exactes sur la partie mise de côté, par famille de tâches",
      }),
      data: [
        ...evaluation.families.map((f) => ({
          family: f.family,
          accuracy: f.accuracy,
          label: pct(f.accuracy),
          kind: "task",
        })),
        {
          family: tr({ en: "ends its turn", fr: "ferme son tour" }),
          accuracy: evaluation.endedShare,
          label: pct(evaluation.endedShare),
          kind: "format",
        },
      ],
      category: "family",
      value: "accuracy",
      categoryTitle: tr({ en: "family", fr: "famille" }),
      valueTitle: tr({ en: "share of held-out replies", fr: "part des réponses mises de côté" }),
      format: ".0%",
      domain: [0, 1],
      label: "label",
      color: "kind",
    }),
  );
  const ended = pct(evaluation.endedShare);
  const scores = evaluation.families.map((f) => `${f.family} ${pct(f.accuracy)}`).join(", ");
  ctx.say({
    en: `
    Read it family by family. The format comes first: ${ended} of the replies close their turn,
    because <|end|> follows every answer and is the easiest token to predict. Content comes
    later and family by family: ${scores}. Counting often scores early because its answers are
    mostly 0 or 1; spelling and reversing need each position to find the right letter of the
    word, and sums need carries. The quick preset stops early on purpose; the full one
    (\`deno task sft --preset full --minutes 15\`) trains longer on more sums, and the README
    gives its scores.
  `,
    fr: `
    Lis-le famille par famille. La forme vient d'abord : ${ended} des réponses ferment leur
    tour, parce que <|end|> suit chaque réponse et que c'est le token le plus facile à prédire.
    Le contenu vient ensuite, famille par famille : ${scores}. Le comptage marque souvent des
    points tôt parce que ses réponses valent surtout 0 ou 1 ; épeler et inverser demandent à
    chaque position de retrouver la bonne lettre du mot, et les sommes demandent des retenues.
    Le préréglage quick s'arrête tôt exprès ; le full (\`deno task sft --preset full --minutes
    15\`) s'entraîne plus longtemps sur plus de sommes, et le README donne ses notes.
  `,
  });
});

const talk = chatStep({ en: "Talk to it", fr: "Discute avec lui" }, async (ctx, state, preset) => {
  const { model, data } = await fineTuned(ctx, state, preset);
  const questions = lang() === "fr"
    ? ["combien font 23 + 45 ?", "écris llama à l'envers.", "épelle gpt.", "explique l'attention."]
    : ["what is 23+45?", "reverse llama.", "spell gpt.", "explain attention."];
  const lines = questions.map((q) => {
    const r = reply(model, data.tok, [{ role: "user", text: q }], { maxTokens: 40 });
    const open = tr({ en: "  (did not end its turn)", fr: "  (n'a pas fermé son tour)" });
    return `you> ${q}\nbot> ${r.text}${r.ended ? "" : open}`;
  });
  ctx.show(lines.join("\n"));
  await ctx.sample("replies", {
    en: "Greedy replies of the fine-tuned model",
    fr: "Réponses gloutonnes du modèle après fine-tuning",
  }, lines.join("\n"));
  ctx.say({
    en: `
    Talk to it yourself, in the terminal (replies stream token by token; /reset, /temp 0.7, /quit):
  `,
    fr: `
    Parle-lui toi-même, dans le terminal (les réponses arrivent token par token ; /reset,
    /temp 0.7, /quit) :
  `,
  });
  ctx.show(shellCommand(["deno", "task", "chat", "--ckpt", relative(`${ctx.outDir}/sft`)]));
  ctx.say({
    en: "or in the browser, on a page served from your machine:",
    fr: "ou dans le navigateur, sur une page servie par ta machine :",
  });
  ctx.show(
    shellCommand(["deno", "task", "chat", "--ckpt", relative(`${ctx.outDir}/sft`), "--web"]),
  );
  ctx.say({
    en: `
    Ask it something outside its five families and you will see what SFT does and does not do:
    it answers in the shape it was taught, ending its turn, whatever the question. Knowledge comes
    from pretraining on far more text; SFT teaches the manners of an assistant.
  `,
    fr: `
    Pose-lui une question hors de ses cinq familles et tu verras ce que le SFT fait et ne fait
    pas : il répond dans la forme qu'on lui a apprise, en fermant son tour, quelle que soit la
    question. Les connaissances viennent du pré-entraînement sur bien plus de texte ; le SFT
    enseigne les manières d'un assistant.
  `,
  });
});

const closing = chatStep({
  en: "What you built, and where to go next",
  fr: "Ce que tu as construit, et où aller ensuite",
}, async (ctx, state, preset) => {
  const { model, data } = await fineTuned(ctx, state, preset);
  const c = model.config;
  ctx.say({
    en: `
    That is the whole road: over thirteen labs you wrote each piece, and the library runs
    them at speed.
  `,
    fr: `
    Voilà tout le chemin : en treize labs, tu as écrit chaque pièce, et la bibliothèque les
    fait tourner à pleine vitesse.
  `,
  });
  ctx.table([
    [verbatim("lab"), { en: "what you built", fr: "ce que tu as construit" }],
    ...LABS.map((l) => [l.id, l.title]),
  ]);
  const gpt3 = 175e9;
  const [params, times] = [
    formatCount(model.numParameters),
    formatCount(Math.round(gpt3 / model.numParameters)),
  ];
  ctx.say({
    en: `
    Your assistant has ${params} parameters and a context of ${c.blockSize} tokens; GPT-3 has
    ${times} times as many parameters. Three things separate them, and none is a new
    architecture:
  `,
    fr: `
    Ton assistant a ${params} paramètres et un contexte de ${c.blockSize} tokens ; GPT-3 a
    ${times} fois plus de paramètres. Trois choses les séparent, et aucune n'est une nouvelle
    architecture :
  `,
  });
  const none = { en: "nothing", fr: "rien" }, secret = { en: "not disclosed", fr: "non publié" };
  const b = (n: number) => tr({ en: `${n}B`, fr: `${n} Md` });
  ctx.table([
    [
      "",
      { en: "parameters", fr: "paramètres" },
      { en: "context", fr: "contexte" },
      { en: "trained on", fr: "entraîné sur" },
      { en: "then", fr: "ensuite" },
    ],
    [
      { en: "yours", fr: "le tien" },
      formatCount(model.numParameters),
      formatCount(c.blockSize),
      {
        en: `${formatCount(data.train.length)} conversations the project wrote`,
        fr: `${formatCount(data.train.length)} conversations écrites par le projet`,
      },
      { en: "SFT with a masked loss", fr: "SFT avec une perte masquée" },
    ],
    [
      "GPT-2 (2019)",
      { en: "124M to 1.5B", fr: "de 124 M à 1,5 Md" },
      formatCount(1024),
      { en: "40 GB of web pages (WebText)", fr: "40 Go de pages web (WebText)" },
      none,
    ],
    ["GPT-3 (2020)", b(175), formatCount(2048), {
      en: `about ${b(300)} tokens of web, books, Wikipedia`,
      fr: `environ ${b(300)} de tokens du web, de livres, de Wikipédia`,
    }, none],
    [
      "GPT-4 (2023)",
      secret,
      `${formatCount(8192)} – ${formatCount(32768)}`,
      secret,
      { en: "SFT, then RLHF", fr: "SFT, puis RLHF" },
    ],
  ]);
  ctx.say({
    en: `
    Data: a pretrained model has read a good part of the public web before it is taught to
    chat; yours has read only its conversations, which is why it knows nothing outside them.
    Scale: thousands of GPUs for weeks, for a model whose matrices are the ones you wrote,
    only larger. Alignment: after SFT, ChatGPT learned from people's preferences (RLHF,
    reinforcement learning from human feedback): people rank several replies, a reward model
    learns their ranking, and the assistant is trained to score well with it.

    Where next. PyTorch does on GPUs what lib/ does here (autograd instead of our hand-written
    backward passes); nanoGPT is the same model in about three hundred lines of it. The other
    families: BERT (an encoder, trained to fill in masked words), T5 (an encoder-decoder, every
    task as text to text), LLaMA (a GPT with RMSNorm, SwiGLU and RoPE, trained on more tokens).
    And the reading list the course started with:
  `,
    fr: `
    Les données : un modèle pré-entraîné a lu une bonne partie du web public avant qu'on lui
    apprenne à converser ; le tien n'a lu que ses conversations, et c'est pourquoi il ne sait
    rien en dehors d'elles. L'échelle : des milliers de GPU pendant des semaines, pour un
    modèle dont les matrices sont celles que tu as écrites, en plus grand. L'alignement : après
    le SFT, ChatGPT a appris des préférences humaines (RLHF, apprentissage par renforcement à
    partir de retours humains) : des personnes classent plusieurs réponses, un modèle de
    récompense apprend leur classement, et l'assistant est entraîné à bien noter selon lui.

    Et après ? PyTorch fait sur GPU ce que lib/ fait ici (l'autograd au lieu de nos passes
    arrière écrites à la main) ; nanoGPT, c'est le même modèle en environ trois cents lignes de
    PyTorch. Les autres familles : BERT (un encodeur, entraîné à retrouver des mots masqués), T5
    (un encodeur-décodeur, chaque tâche vue comme du texte vers du texte), LLaMA (un GPT avec
    RMSNorm, SwiGLU et RoPE, entraîné sur davantage de tokens). Et la liste de lectures par
    laquelle le cours a commencé :
  `,
  });
  ctx.table(readingRows());
});

/**
 * Lab 12 with a given SFT preset; the course runs {@link lab} (the quick preset), the tests a
 * tiny one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeLab } from "./12_chatgpt.ts";
 * import { SFT_PRESETS } from "../lib/chat/presets.ts";
 * assert.equal(makeLab(SFT_PRESETS.quick).id, "12");
 * ```
 */
export function makeLab(preset: SftPreset): Lab {
  const state: State = {};
  return {
    id: "12",
    slug: "12_chatgpt",
    title: {
      en: "A mini-ChatGPT: chat template, masked fine-tuning, evaluation",
      fr: "Un mini-ChatGPT : modèle de conversation, fine-tuning masqué, évaluation",
    },
    exercises,
    steps: [
      fromTextToAssistant,
      template,
      yourTemplate,
      conversations,
      maskedLoss,
      yourMask,
      fineTune,
      evaluate,
      talk,
      closing,
    ].map((s) => step(s.title, (ctx) => s.run(ctx, state, preset))),
  };
}

/** Lab 12, as the runner sees it. */
export const lab: Lab = makeLab(SFT_PRESETS.quick);
