"""Food insecurity (FAO FIES), health, protection (sensitive) and the needs the household expresses.

FIES: the eight questions of the FAO Food Insecurity Experience Scale, household referent, 12-month
recall, each asked in full as FAO recommends; ``fies_score`` is the raw score (number of "yes", 0 to 8).
"""

from form_household import CONSENTED
from form_kit import Tr, calc, exclusive, group, note, one_of, q
from form_living import specify

RECALL = Tr("Au cours des 12 derniers mois, y a-t-il eu un moment où, par manque d'argent ou d'autres ressources, ",
            "خلال الاثني عشر شهرًا الماضية، هل مرّ وقت ",
            "During the last 12 months, was there a time when, because of a lack of money or other resources, ",
            "Durante os últimos 12 meses, houve algum momento em que, por falta de dinheiro ou de outros recursos, ")
AR_CAUSE = " بسبب نقص المال أو الموارد الأخرى؟"
FIES = (
    ("fies_worried", "vous ou d'autres membres du ménage avez été inquiets de ne pas avoir assez de nourriture ?",
     "شعرتَ فيه أنت أو أحد أفراد أسرتك بالقلق من عدم توفّر ما يكفي من الطعام",
     "you or others in your household were worried you would not have enough food to eat?",
     "o(a) senhor(a) ou outra pessoa do agregado ficou preocupado(a) por não ter comida suficiente?"),
    ("fies_healthy", "vous ou d'autres membres du ménage n'avez pas pu manger une nourriture saine et nutritive ?",
     "لم تتمكّن فيه أنت أو أحد أفراد أسرتك من تناول طعام صحي ومغذٍّ",
     "you or others in your household were unable to eat healthy and nutritious food?",
     "o(a) senhor(a) ou outra pessoa do agregado não conseguiu comer alimentos saudáveis e nutritivos?"),
    ("fies_few_kinds", "vous ou d'autres membres du ménage avez mangé seulement quelques sortes d'aliments ?",
     "تناولتَ فيه أنت أو أحد أفراد أسرتك أنواعًا قليلة فقط من الأطعمة",
     "you or others in your household ate only a few kinds of foods?",
     "o(a) senhor(a) ou outra pessoa do agregado comeu apenas poucos tipos de alimentos?"),
    ("fies_skipped", "vous ou d'autres membres du ménage avez dû sauter un repas ?",
     "اضطُررتَ فيه أنت أو أحد أفراد أسرتك إلى الاستغناء عن وجبة",
     "you or others in your household had to skip a meal?",
     "o(a) senhor(a) ou outra pessoa do agregado teve de saltar uma refeição?"),
    ("fies_ate_less", "vous ou d'autres membres du ménage avez mangé moins que ce que vous pensiez devoir manger ?",
     "أكلتَ فيه أنت أو أحد أفراد أسرتك أقل مما كنتم ترون أنه يلزمكم",
     "you or others in your household ate less than you thought you should?",
     "o(a) senhor(a) ou outra pessoa do agregado comeu menos do que achava que devia comer?"),
    ("fies_ran_out", "votre ménage a manqué de nourriture ?",
     "نفد فيه الطعام من أسرتك",
     "your household ran out of food?",
     "o seu agregado familiar ficou sem comida?"),
    ("fies_hungry", "vous ou d'autres membres du ménage avez eu faim mais n'avez pas mangé ?",
     "شعرتَ فيه أنت أو أحد أفراد أسرتك بالجوع ولم تأكلوا",
     "you or others in your household were hungry but did not eat?",
     "o(a) senhor(a) ou outra pessoa do agregado teve fome mas não comeu?"),
    ("fies_whole_day", "vous ou d'autres membres du ménage êtes restés toute une journée sans manger ?",
     "بقيتَ فيه أنت أو أحد أفراد أسرتك يومًا كاملًا دون أكل",
     "you or others in your household went without eating for a whole day?",
     "o(a) senhor(a) ou outra pessoa do agregado passou um dia inteiro sem comer?"),
)


def fies_question(name: str, fr: str, ar: str, en: str, pt: str) -> dict:
    label = Tr(RECALL.fr + fr, RECALL.ar + ar + AR_CAUSE, RECALL.en + en, RECALL.pt + pt)
    return q("select_one yes_no_dk_refused", name, label)


FOOD = group("food", Tr("Alimentation", "التغذية", "Food", "Alimentação"), [
    note("fies_note", Tr(
        "Je vais maintenant vous poser des questions sur la nourriture de votre ménage.",
        "سأطرح عليك الآن أسئلة تتعلق بغذاء أسرتك.",
        "Now I would like to ask you some questions about food in your household.",
        "Agora vou fazer-lhe algumas perguntas sobre a alimentação do seu agregado familiar.")),
    *(fies_question(*item) for item in FIES),
    calc("fies_score", " + ".join(f"if(${{{item[0]}}} = 'yes', 1, 0)" for item in FIES)),
], relevant=CONSENTED)

HEALTH = group("health", Tr("Santé", "الصحة", "Health", "Saúde"), [
    q("select_one health_access", "health_access",
      Tr("Au cours des 12 derniers mois, quand un membre du ménage a eu besoin de soins, a-t-il pu en obtenir ?",
         "خلال الاثني عشر شهرًا الماضية، عندما احتاج أحد أفراد الأسرة إلى علاج، هل تمكّن من الحصول عليه؟",
         "In the last 12 months, when a household member needed health care, could they get it?",
         "Nos últimos 12 meses, quando um membro do agregado precisou de cuidados de saúde, conseguiu obtê-los?")),
    q("select_multiple health_barrier", "health_barrier",
      Tr("Qu'est-ce qui a empêché ou retardé les soins ?", "ما الذي منع العلاج أو أخّره؟",
         "What prevented or delayed care?", "O que impediu ou atrasou os cuidados?"),
      relevant=one_of("health_access", "sometimes", "never")),
    specify("health_barrier_other", "selected(${health_barrier}, 'other')"),
    q("select_one yes_no", "health_coverage",
      Tr("Au moins un membre du ménage a-t-il une assurance maladie ou une carte de soins gratuits ?",
         "هل لدى فرد واحد على الأقل من الأسرة تأمين صحي أو بطاقة علاج مجاني؟",
         "Does at least one household member have health insurance or a free-care card?",
         "Pelo menos um membro do agregado tem seguro de saúde ou cartão de assistência gratuita?")),
], relevant=CONSENTED)

CONCERN_SAID = "count-selected(${protection_concern}) > 0 and not(selected(${protection_concern}, 'none'))"

# SENSITIVE: mapping.json lists "protection" in "sensitive_groups"; the server treats any answer in it other than
# none / prefer_not_to_say / no as sensitive. So the privacy check stays outside the group, and the group is
# only relevant once the enumerator is alone with the respondent.
PROTECTION = [
    q("select_one yes_no", "protection_private",
      Tr("Pouvez-vous maintenant parler en privé avec la personne ?", "هل يمكنك الآن التحدث مع الشخص على انفراد؟",
         "Can you now speak privately with the person?", "Pode agora falar em privado com a pessoa?"),
      hint=Tr("Les questions suivantes sont SENSIBLES : posez-les seulement si vous êtes seul(e) avec la personne, "
              "sans enfant de plus de 2 ans ni autre adulte à portée d'oreille. Sinon, répondez Non.",
              "الأسئلة التالية حساسة: اطرحها فقط إذا كنت وحدك مع الشخص، دون وجود طفل يتجاوز عمره سنتين أو شخص "
              "بالغ آخر يمكنه السماع. وإلا فأجب بـ«لا».",
              "The next questions are SENSITIVE: ask them only if you are alone with the person, with no child "
              "over 2 or other adult within hearing. Otherwise answer No.",
              "As perguntas seguintes são SENSÍVEIS: faça-as só se estiver a sós com a pessoa, sem crianças com "
              "mais de 2 anos nem outros adultos a ouvir. Caso contrário, responda Não."),
      relevant=CONSENTED),
    *group("protection", Tr("Protection", "الحماية", "Protection", "Proteção"), [
        note("protection_note", Tr(
            "Parlez doucement, n'insistez pas et ne notez rien d'autre que les réponses. En cas de danger "
            "immédiat, suivez la procédure d'orientation d'urgence.",
            "تحدّث بهدوء، ولا تُلحّ، ولا تسجّل شيئًا غير الإجابات. في حالة خطر داهم، اتّبع إجراء الإحالة العاجلة.",
            "Speak gently, do not insist and record nothing but the answers. In case of immediate danger, follow "
            "the emergency referral procedure.",
            "Fale com calma, não insista e não registe nada além das respostas. Em caso de perigo imediato, siga "
            "o procedimento de encaminhamento urgente.")),
        q("select_multiple protection_concern", "protection_concern",
          Tr("Certains ménages vivent des situations difficiles. Est-ce que l'une de ces situations touche un "
             "membre de votre ménage ?",
             "تعيش بعض الأسر أوضاعًا صعبة. هل يعاني أحد أفراد أسرتك من إحدى هذه الأوضاع؟",
             "Some households face difficult situations. Does any of these situations affect a member of your "
             "household?",
             "Alguns agregados vivem situações difíceis. Alguma destas situações afeta um membro do seu agregado?"),
          constraint=exclusive("none", "prefer_not_to_say"),
          message=Tr("« Aucune » et « Préfère ne pas répondre » s'utilisent seuls.",
                     "«لا شيء من ذلك» و«يفضّل عدم الإجابة» لا يُختاران مع إجابة أخرى.",
                     "'None' and 'Prefers not to say' stand alone.",
                     "«Nenhuma» e «Prefere não responder» não se combinam com outras respostas.")),
        q("select_one yes_no", "protection_referral_wanted",
          Tr("Souhaitez-vous qu'on vous mette en contact, en toute confidentialité, avec un service qui peut "
             "aider ?",
             "هل ترغب في أن نربطك، بسرّية تامة، بخدمة يمكنها المساعدة؟",
             "Would you like to be put in touch, confidentially, with a service that can help?",
             "Gostaria de ser posto(a) em contacto, com toda a confidencialidade, com um serviço que pode ajudar?"),
          relevant=CONCERN_SAID),
    ], relevant=CONSENTED + " and ${protection_private} = 'yes'"),
]

NEEDS = group("needs", Tr("Besoins exprimés", "الاحتياجات المعبَّر عنها", "Needs expressed", "Necessidades expressas"), [
    q("select_multiple needs", "needs_expressed",
      Tr("De quoi le ménage a-t-il le plus besoin aujourd'hui ?", "ما أكثر ما تحتاج إليه الأسرة اليوم؟",
         "What does the household need most today?", "De que é que o agregado mais precisa hoje?"),
      hint=Tr("Notez ce que la personne dit, sans lire toute la liste. Laissez vide si aucun besoin.",
              "سجّل ما يقوله الشخص دون قراءة القائمة كلها. اتركه فارغًا إن لم توجد احتياجات.",
              "Record what the person says, without reading out the whole list. Leave empty if no need.",
              "Registe o que a pessoa diz, sem ler a lista toda. Deixe em branco se não houver necessidades."),
      required=False),
    q("select_one needs", "need_priority_1",
      Tr("Besoin le plus urgent", "الاحتياج الأكثر إلحاحًا", "Most urgent need", "Necessidade mais urgente"),
      relevant="count-selected(${needs_expressed}) >= 1", choice_filter="selected(${needs_expressed}, name)"),
    q("select_one needs", "need_priority_2",
      Tr("Deuxième besoin", "الاحتياج الثاني", "Second need", "Segunda necessidade"),
      relevant="count-selected(${needs_expressed}) >= 2",
      choice_filter="selected(${needs_expressed}, name) and name != ${need_priority_1}"),
    q("select_one needs", "need_priority_3",
      Tr("Troisième besoin", "الاحتياج الثالث", "Third need", "Terceira necessidade"),
      relevant="count-selected(${needs_expressed}) >= 3",
      choice_filter="selected(${needs_expressed}, name) and name != ${need_priority_1} "
                    "and name != ${need_priority_2}"),
    q("text", "comments", Tr("Observations de l'enquêteur", "ملاحظات الباحث", "Enumerator's comments",
                             "Observações do inquiridor"), required=False, appearance="multiline"),
], relevant=CONSENTED)
