/**
 * A small corpus for `text_chars`, written for this project (original prose, no third-party
 * text). It is lowercased and its whitespace collapsed to single spaces, so the vocabulary stays
 * small: letters, space and a little punctuation.
 */

const PARAGRAPHS = [
  `A river begins as a rumour in the hills. Rain falls on the high ground, soaks into moss and
  gravel, and then slips out again as a thin bright thread that no map bothers to name. Other
  threads join it in the folds of the valley, and by the time the land flattens the water has
  gathered enough weight to carve its own road. It bends around hard rock and cuts through soft
  clay, and every bend it makes is a record of some old argument between the current and the
  ground.`,
  `Weather is the hand that fills the river and the hand that starves it. In a wet spring the
  clouds come in low from the west, one grey bank after another, and the river rises a little
  each night until it spills across the meadows. The fields turn to shallow lakes, herons stand
  in them like posts, and the farmers wait. On still evenings a haze settles over the water,
  and by the next morning it has thickened into mist. In a dry summer the same river shrinks
  back to its stones. The pools grow warm and still, the fish crowd into the shade under the banks, and the
  water moves so slowly that leaves seem to hang on its surface without going anywhere.`,
  `People who live beside a river learn to read the sky as carefully as they read the water. A
  ring around the moon, a sudden drop in the wind, swallows flying close to the grass: each sign
  is a small forecast, and most of them are right often enough to be remembered. Old boatmen say
  that the river smells different before a storm, sharper and colder, as if it already knows what
  the clouds are carrying. Nobody has measured this, but nobody who has spent a life on the water
  doubts it either.`,
  `Autumn brings the long rains. The river turns brown with borrowed soil and carries whole
  branches past the town bridge, turning them slowly as if to inspect them. Fog lies on the water
  in the mornings and lifts by noon. Then winter arrives, and on the coldest nights a skin of ice
  forms along the edges where the current is weak. In the middle the water keeps moving, dark and
  quick, because a river that stops is no longer a river at all.`,
  `When the thaw comes the snow on the hills melts in a few warm days, and the river remembers its
  strength. It pushes against the old stone walls, lifts the boats at their moorings, and fills
  the air with a steady roar that can be heard from the far end of the village. Then the flood
  passes, the water clears, and the cycle starts again: rain and sun, rise and fall, a long
  conversation between the sky and the sea that the river carries on without ever pausing to
  listen.`,
];

/** The corpus: lowercase, single-spaced, paragraphs joined by a space. */
export const CORPUS: string = PARAGRAPHS.map((p) =>
  p.toLowerCase().replace(/\s+/g, ' ').trim(),
).join(' ');

/** Sorted unique characters of CORPUS (the one-hot channels and class indices of text_chars). */
export const CORPUS_VOCABULARY: readonly string[] = [...new Set(CORPUS)].sort();
