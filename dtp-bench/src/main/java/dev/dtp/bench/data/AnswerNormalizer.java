package dev.dtp.bench.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Answer normalisation of the standard VQA evaluation, implemented from its published description: lower
 * case; punctuation dropped except apostrophes (contractions) and decimal points; thousands commas
 * removed; number words "zero" to "ten" (and "none") as digits; articles a/an/the removed; contractions
 * written without an apostrophe restored ("dont" becomes "don't").
 */
public final class AnswerNormalizer {
    private static final Map<String, String> NUMBERS = Map.ofEntries(
            Map.entry("none", "0"), Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"),
            Map.entry("three", "3"), Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"),
            Map.entry("seven", "7"), Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"));
    private static final Set<String> ARTICLES = Set.of("a", "an", "the");
    /** Only spellings that are not also ordinary words ("its", "well", "were" are left alone). */
    private static final Map<String, String> CONTRACTIONS = Map.ofEntries(
            Map.entry("dont", "don't"), Map.entry("doesnt", "doesn't"), Map.entry("didnt", "didn't"),
            Map.entry("isnt", "isn't"), Map.entry("arent", "aren't"), Map.entry("wasnt", "wasn't"),
            Map.entry("werent", "weren't"), Map.entry("cant", "can't"), Map.entry("couldnt", "couldn't"),
            Map.entry("wont", "won't"), Map.entry("wouldnt", "wouldn't"), Map.entry("shouldnt", "shouldn't"),
            Map.entry("havent", "haven't"), Map.entry("hasnt", "hasn't"), Map.entry("hadnt", "hadn't"),
            Map.entry("mustnt", "mustn't"), Map.entry("im", "i'm"), Map.entry("ive", "i've"),
            Map.entry("youre", "you're"), Map.entry("youve", "you've"), Map.entry("theyre", "they're"),
            Map.entry("theyve", "they've"), Map.entry("thats", "that's"), Map.entry("whats", "what's"),
            Map.entry("wheres", "where's"), Map.entry("whos", "who's"), Map.entry("theres", "there's"),
            Map.entry("hes", "he's"), Map.entry("shes", "she's"));

    private AnswerNormalizer() {
    }

    public static String normalize(String answer) {
        String text = answer.toLowerCase(Locale.ROOT);
        StringBuilder kept = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean betweenDigits = i > 0 && i + 1 < text.length()
                    && Character.isDigit(text.charAt(i - 1)) && Character.isDigit(text.charAt(i + 1));
            if (Character.isLetterOrDigit(c) || c == '\'') {
                kept.append(c);
            } else if (c == '.' && betweenDigits) {
                kept.append(c); // decimal point: "3.5"
            } else if (c == ',' && betweenDigits) {
                continue; // thousands separator: "1,000" is "1000"
            } else if (c == '.') {
                continue; // full stop or abbreviation: "yes." is "yes"
            } else {
                kept.append(' ');
            }
        }
        List<String> words = new ArrayList<>();
        for (String token : kept.toString().trim().split("\\s+")) {
            String word = stripQuotes(token);
            if (word.isEmpty() || ARTICLES.contains(word)) {
                continue;
            }
            word = NUMBERS.getOrDefault(word, word);
            words.add(CONTRACTIONS.getOrDefault(word, word));
        }
        return String.join(" ", words);
    }

    /** Apostrophes used as quotes ('yes') go; those inside a word (don't) stay. */
    private static String stripQuotes(String word) {
        int from = 0;
        int to = word.length();
        while (from < to && word.charAt(from) == '\'') {
            from++;
        }
        while (to > from && word.charAt(to - 1) == '\'') {
            to--;
        }
        return word.substring(from, to);
    }
}
