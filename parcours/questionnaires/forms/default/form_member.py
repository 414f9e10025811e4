"""Per-member questions after identity and age: marital status, education, functioning, work, documents.

Functioning uses the Washington Group Short Set (WG-SS) in its proxy form ("Does <name> have
difficulty..."), asked from age 5 as the brief requires; ``has_disability`` applies the WG's usual cut-off
(a lot of difficulty or cannot do at all in at least one domain).
"""

from form_kit import Tr, calc, note, one_of, q

N = "${display_name}"
WG = ("wg_seeing", "wg_hearing", "wg_walking", "wg_remembering", "wg_selfcare", "wg_communicating")

WG_QUESTIONS = {
    "wg_seeing": Tr(f"Est-ce que {N} a des difficultés à voir, même en portant des lunettes ?",
                    f"هل لدى {N} صعوبة في الرؤية، حتى عند استخدام النظارات؟",
                    f"Does {N} have difficulty seeing, even if wearing glasses?",
                    f"{N} tem dificuldade em ver, mesmo usando óculos?"),
    "wg_hearing": Tr(f"Est-ce que {N} a des difficultés à entendre, même en utilisant un appareil auditif ?",
                     f"هل لدى {N} صعوبة في السمع، حتى عند استخدام سماعة طبية؟",
                     f"Does {N} have difficulty hearing, even if using a hearing aid?",
                     f"{N} tem dificuldade em ouvir, mesmo usando aparelho auditivo?"),
    "wg_walking": Tr(f"Est-ce que {N} a des difficultés à marcher ou à monter des marches ?",
                     f"هل لدى {N} صعوبة في المشي أو في صعود الدرج؟",
                     f"Does {N} have difficulty walking or climbing steps?",
                     f"{N} tem dificuldade em andar ou subir degraus?"),
    "wg_remembering": Tr(f"Est-ce que {N} a des difficultés à se souvenir ou à se concentrer ?",
                         f"هل لدى {N} صعوبة في التذكّر أو التركيز؟",
                         f"Does {N} have difficulty remembering or concentrating?",
                         f"{N} tem dificuldade em lembrar-se ou concentrar-se?"),
    "wg_selfcare": Tr(f"Est-ce que {N} a des difficultés à prendre soin de soi, comme se laver entièrement ou "
                      "s'habiller ?",
                      f"هل لدى {N} صعوبة في العناية بنفسه، مثل الاغتسال الكامل أو ارتداء الملابس؟",
                      f"Does {N} have difficulty with self-care, such as washing all over or dressing?",
                      f"{N} tem dificuldade em cuidar de si, como lavar-se por completo ou vestir-se?"),
    "wg_communicating": Tr(
        f"En utilisant sa langue habituelle, est-ce que {N} a des difficultés à communiquer, par exemple à "
        "comprendre les autres ou à se faire comprendre ?",
        f"باستخدام لغته المعتادة، هل لدى {N} صعوبة في التواصل، مثل فهم الآخرين أو أن يفهمه الآخرون؟",
        f"Using the usual language, does {N} have difficulty communicating, for example understanding or "
        "being understood?",
        f"Usando a sua língua habitual, {N} tem dificuldade em comunicar, por exemplo, em compreender os "
        "outros ou em fazer-se compreender?"),
}

AGE_5 = "${age} >= 5"
AGE_10 = "${age} >= 10"
AGE_15 = "${age} >= 15"
WORKING = one_of("employment_status", "employed", "self_employed")

MEMBER_DETAILS = [
    q("select_one marital_status", "marital_status",
      Tr(f"Situation matrimoniale de {N}", f"الحالة الزوجية لـ{N}", f"Marital status of {N}",
         f"Estado civil de {N}"), relevant="${age} >= 12"),
    q("select_one education_level", "education_level",
      Tr(f"Plus haut niveau d'études atteint par {N}, même s'il n'a pas été terminé",
         f"أعلى مستوى تعليمي بلغه {N}، حتى لو لم يُكمله", f"Highest level of education {N} reached, even if "
         "not completed", f"Nível de ensino mais alto que {N} frequentou, mesmo sem o concluir"),
      relevant=AGE_5),
    q("select_one yes_no", "attends_school",
      Tr(f"Est-ce que {N} va actuellement à l'école, en formation ou à l'université ?",
         f"هل يدرس {N} حاليًا في مدرسة أو مركز تكوين أو جامعة؟",
         f"Does {N} currently attend school, training or university?",
         f"{N} frequenta atualmente a escola, uma formação ou a universidade?"),
      relevant="${age} >= 5 and ${age} <= 24"),
    q("integer", "years_schooling",
      Tr(f"Combien d'années d'études {N} a-t-il/elle achevées ?", f"كم عدد سنوات الدراسة التي أتمّها {N}؟",
         f"How many years of schooling has {N} completed?", f"Quantos anos de estudo {N} concluiu?"),
      hint=Tr("Années réussies depuis la 1re année du primaire, sans compter les redoublements. 0 si jamais "
              "scolarisé(e).",
              "السنوات الناجحة منذ السنة الأولى ابتدائي دون احتساب سنوات الرسوب. 0 إذا لم يتمدرس قط.",
              "Years passed since the first year of primary school, not counting repeated years. 0 if never "
              "attended.",
              "Anos concluídos desde a 1.ª classe, sem contar as repetências. 0 se nunca estudou."),
      relevant=AGE_10,
      constraint=". >= 0 and . <= 25 and . <= ${age} - 3 and (${education_level} != 'none' or . = 0)",
      message=Tr("Entre 0 et 25 ans, au plus l'âge moins 3, et 0 si le niveau d'études est « aucun ».",
                 "بين 0 و25 سنة، ولا تتجاوز العمر ناقص 3، و0 إذا كان المستوى التعليمي «بدون مستوى».",
                 "Between 0 and 25, at most the age minus 3, and 0 when the education level is 'none'.",
                 "Entre 0 e 25, no máximo a idade menos 3, e 0 se o nível de ensino for «nenhum».")),
    q("select_one yes_no", "literate",
      Tr(f"Est-ce que {N} sait lire et écrire une phrase simple, dans n'importe quelle langue ?",
         f"هل يستطيع {N} قراءة جملة بسيطة وكتابتها بأي لغة؟",
         f"Can {N} read and write a simple sentence in any language?",
         f"{N} sabe ler e escrever uma frase simples, em qualquer língua?"), relevant=AGE_10),
    note("wg_note", Tr(
        f"Les questions suivantes portent sur des difficultés que {N} peut avoir dans certaines activités à "
        "cause d'un problème de santé.",
        f"تتعلق الأسئلة التالية بصعوبات قد يواجهها {N} في القيام ببعض الأنشطة بسبب مشكلة صحية.",
        f"The next questions ask about difficulties {N} may have doing certain activities because of a "
        "health problem.",
        f"As perguntas seguintes são sobre dificuldades que {N} pode ter em fazer certas atividades por "
        "causa de um problema de saúde."), relevant=AGE_5),
    *(q("select_one wg", name, WG_QUESTIONS[name], relevant=AGE_5) for name in WG),
    calc("has_disability", "if(" + " or ".join(
        f"${{{name}}} = 'a_lot_of_difficulty' or ${{{name}}} = 'cannot_do_at_all'" for name in WG) + ", 1, 0)"),
    q("select_one yes_no", "chronic_illness",
      Tr(f"Est-ce que {N} a une maladie chronique (depuis 3 mois ou plus, ou qui demande un traitement "
         "régulier) ?",
         f"هل يعاني {N} من مرض مزمن (منذ 3 أشهر أو أكثر، أو يتطلب علاجًا منتظمًا)؟",
         f"Does {N} have a chronic illness (lasting 3 months or more, or needing regular treatment)?",
         f"{N} tem uma doença crónica (há 3 meses ou mais, ou que precisa de tratamento regular)?")),
    q("select_one employment_status", "employment_status",
      Tr(f"Quelle est actuellement la situation principale de {N} vis-à-vis du travail ?",
         f"ما هي الوضعية الرئيسية الحالية لـ{N} إزاء العمل؟", f"What is the main work situation of {N} now?",
         f"Qual é atualmente a principal situação de {N} em relação ao trabalho?"),
      relevant=AGE_15,
      constraint=". != 'student' or ${attends_school} != 'no'",
      message=Tr("Vous avez noté plus haut que cette personne ne suit pas d'études.",
                 "سجّلتَ سابقًا أن هذا الشخص لا يدرس حاليًا.",
                 "You recorded earlier that this person is not studying.",
                 "Registou antes que esta pessoa não está a estudar.")),
    q("select_one employment_sector", "employment_sector",
      Tr(f"Dans quel secteur {N} travaille-t-il/elle ?", f"في أي قطاع يعمل {N}؟", f"In which sector does {N} work?",
         f"Em que setor {N} trabalha?"), relevant=WORKING),
    q("text", "phone", Tr(f"Numéro de téléphone de {N}", f"رقم هاتف {N}", f"Phone number of {N}",
                          f"Número de telefone de {N}"),
      hint=Tr("Chiffres seulement, avec l'indicatif du pays si possible (ex. +21698123456).",
              "أرقام فقط، مع رمز البلد إن أمكن (مثال: \u200e+21698123456).",  # LRM keeps the + on the left
              "Digits only, with the country code if possible (e.g. +25884123456).",
              "Apenas algarismos, com o indicativo do país se possível (ex.: +25884123456)."),
      required=False, relevant="${age} >= 12", constraint=r"regex(., '^\+?[0-9]{6,15}$')",
      message=Tr("De 6 à 15 chiffres, éventuellement précédés de +, sans espaces.",
                 "من 6 إلى 15 رقمًا، قد يسبقها الرمز +، ودون فراغات.",
                 "6 to 15 digits, optionally after a +, without spaces.",
                 "De 6 a 15 algarismos, eventualmente precedidos de +, sem espaços.")),
    q("select_one yes_no_dk", "birth_registered",
      Tr(f"La naissance de {N} a-t-elle été déclarée à l'état civil ?", f"هل سُجّلت ولادة {N} في الحالة المدنية؟",
         f"Was the birth of {N} registered with the civil registry?",
         f"O nascimento de {N} foi registado no registo civil?")),
    q("select_one yes_no_dk", "has_id_card",
      Tr(f"Est-ce que {N} a une carte d'identité nationale valide ?", f"هل لدى {N} بطاقة تعريف وطنية سارية؟",
         f"Does {N} have a valid national identity card?", f"{N} tem bilhete de identidade válido?"),
      relevant="${age} >= 18"),
    q("text", "national_id", Tr("Numéro de la carte d'identité", "رقم بطاقة التعريف", "Identity card number",
                                "Número do bilhete de identidade"),
      hint=Tr("Recopiez-le depuis la carte si la personne la montre.", "انسخه من البطاقة إذا أظهرها الشخص.",
              "Copy it from the card if the person shows it.", "Copie-o do documento se a pessoa o mostrar."),
      required=False, relevant="${has_id_card} = 'yes'", constraint="regex(., '^[A-Za-z0-9/-]{4,30}$')",
      message=Tr("De 4 à 30 lettres ou chiffres, sans espaces.", "من 4 إلى 30 حرفًا أو رقمًا، دون فراغات.",
                 "4 to 30 letters or digits, without spaces.", "De 4 a 30 letras ou algarismos, sem espaços.")),
    q("select_one migrant_status", "migrant_status",
      Tr(f"Situation de {N} quant au lieu de résidence", f"وضعية {N} من حيث الإقامة",
         f"Residence status of {N}", f"Situação de residência de {N}")),
]
